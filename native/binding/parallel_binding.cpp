#include "parallel_binding.h"

#include "model/parallel_context.h"
#include "promise_worker.h"

namespace neox::binding {
namespace {

struct Done {};

Napi::Value barrier(const Napi::CallbackInfo& info, const State& state) {
  check_open(info.Env(), *state, "barrier");
  return PromiseWorker<Done>::start(
      info.Env(), state->thread, info.This().As<Napi::Object>(),
      [state] {
        if (comm::Communicator* world = state->trainer->parallel().world()) world->barrier();
        return Done{};
      },
      [](Napi::Env env, Done&) -> Napi::Value { return env.Undefined(); });
}

Napi::Value any_rank(const Napi::CallbackInfo& info, const State& state) {
  check_open(info.Env(), *state, "anyRank");
  if (info.Length() != 1 || !info[0].IsBoolean()) {
    throw Napi::TypeError::New(info.Env(), "anyRank(flag): flag must be a boolean");
  }
  const bool flag = info[0].As<Napi::Boolean>().Value();
  return PromiseWorker<bool>::start(
      info.Env(), state->thread, info.This().As<Napi::Object>(),
      [state, flag] {
        comm::Communicator* world = state->trainer->parallel().world();
        if (world == nullptr) return flag;
        for (double value : model::all_gather_doubles(world, flag ? 1.0 : 0.0)) {
          if (value != 0) return true;
        }
        return false;
      },
      [](Napi::Env env, bool& any) -> Napi::Value { return Napi::Boolean::New(env, any); });
}

Napi::Array integers(Napi::Env env, const std::vector<int64_t>& values) {
  Napi::Array out = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) out.Set(uint32_t(i), double(values[i]));
  return out;
}

}  // namespace

void set_tensor_placement(Napi::Env env, Napi::Object entry, const model::TensorInfo& tensor) {
  entry.Set("globalShape", integers(env, tensor.global_shape));
  Napi::Array boxes = Napi::Array::New(env, tensor.boxes.size());
  for (size_t b = 0; b < tensor.boxes.size(); ++b) {
    Napi::Object box = Napi::Object::New(env);
    box.Set("start", integers(env, tensor.boxes[b].start));
    box.Set("shape", integers(env, tensor.boxes[b].shape));
    boxes.Set(uint32_t(b), box);
  }
  entry.Set("boxes", boxes);
  entry.Set("tpReplicated", tensor.tp_replicated);
  entry.Set("pipeTiedCopy", tensor.pipe_tied_copy);
}

void add_parallel_methods(Napi::Env env, Napi::Object handle, const State& state) {
  const model::ParallelContext& p = state->trainer->parallel();
  Napi::Object place = Napi::Object::New(env);
  place.Set("rank", p.world_rank());
  place.Set("worldSize", p.dims().world());
  place.Set("dataParallelSize", p.dims().dp);
  place.Set("modelParallelSize", p.dims().tp);
  place.Set("pipelineStages", p.dims().pp);
  place.Set("dpRank", p.coords().dp);
  place.Set("tpRank", p.coords().tp);
  place.Set("ppRank", p.coords().pp);
  place.Set("zeroStage", p.config().zero_stage);
  const model::ModelConfig& stage = state->trainer->stage_config();
  place.Set("stageLayers", integers(env, {stage.first_layer, stage.first_layer + stage.stage_layers()}));
  handle.Set("parallel", place);
  define_method(env, handle, "barrier", state, barrier);
  define_method(env, handle, "anyRank", state, any_rank);
}

}  // namespace neox::binding
