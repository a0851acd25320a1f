#include "parallel_binding.h"

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

}  // namespace

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
  handle.Set("parallel", place);
  define_method(env, handle, "barrier", state, barrier);
}

}  // namespace neox::binding
