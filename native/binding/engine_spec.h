// Reads the engine specification object that native/ts/engine-spec.ts builds from a resolved
// GPT-NeoX config (keys named as the config keys) into the native model and training configs.
// A missing or mistyped field is a bug on the TypeScript side and throws a TypeError naming it;
// values that are well-typed but unsupported are refused by the model with the config key.
#pragma once

#include <napi.h>

#include <cstdint>

#include "model/model_config.h"
#include "model/parallel_context.h"

namespace neox::binding {

struct EngineSpec {
  model::ModelConfig model;
  model::TrainingConfig training;
  model::ParallelConfig parallel;  // degrees and ZeRO settings (the rendezvous: engine_rendezvous.h)
  uint64_t seed = 0;
  int threads = 0;
};

EngineSpec read_engine_spec(const Napi::Object& spec);

}  // namespace neox::binding
