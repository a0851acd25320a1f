// What a JS engine object holds, shared by the binding files that add its methods
// (engine_binding.cpp: training and tensors; decode_binding.cpp: cached decoding).
#pragma once

#include <napi.h>

#include <memory>
#include <set>
#include <string>
#include <utility>

#include "compute_thread.h"
#include "js_args.h"
#include "js_errors.h"
#include "model/decoder.h"
#include "model/trainer.h"

namespace neox::binding {

// `trainer` and `decoder` are used only on `thread` (the trainer's layout, which never changes
// after creation, is also read on the JS thread); `closed`, `open_sequences` and
// `next_sequence` only on the JS thread. `decoder` (created on first use) reads the trainer's
// parameters, so it goes before the trainer. `thread` is declared last so it is destroyed first:
// its destructor runs the tasks still queued and joins, before the others go away.
struct EngineState {
  std::unique_ptr<model::Trainer> trainer;
  std::unique_ptr<model::Decoder<float>> decoder;
  bool closed = false;
  std::set<int64_t> open_sequences;
  int64_t next_sequence = 1;
  ComputeThread thread;
};
using State = std::shared_ptr<EngineState>;

inline void check_open(Napi::Env env, const EngineState& state, const char* method) {
  if (state.closed) throw_invalid(env, std::string(method) + ": the engine is closed; create a new one");
}

// Runs fn on the compute thread and waits for it (after the calls queued before it).
template <typename Fn>
void run_and_wait(Napi::Env env, EngineState& state, Fn&& fn) {
  guard(env, [&] { state.thread.submit(std::forward<Fn>(fn)).get(); });
}

// handle[name] = (...args) => method(info, state)
template <typename Method>
void define_method(Napi::Env env, Napi::Object handle, const char* name, const State& state, Method method) {
  handle.Set(name, Napi::Function::New(
                       env, [state, method](const Napi::CallbackInfo& info) { return method(info, state); }, name));
}

}  // namespace neox::binding
