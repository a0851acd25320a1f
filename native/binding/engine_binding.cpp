#include "engine_binding.h"

#include <memory>
#include <string>
#include <vector>

#include "compute_thread.h"
#include "core/errors.h"
#include "decode_binding.h"
#include "engine_rendezvous.h"
#include "engine_spec.h"
#include "engine_state.h"
#include "js_args.h"
#include "js_errors.h"
#include "parallel_binding.h"
#include "model/trainer.h"
#include "promise_worker.h"

namespace neox::binding {
namespace {

struct Done {};

// ---- long calls (Promises) -------------------------------------------------------------------

// trainStep(tokens: Int32Array, lossMask: Float32Array | null, lr: number, step: number)
Napi::Value train_step(const Napi::CallbackInfo& info, const State& state) {
  Napi::Env env = info.Env();
  check_open(env, *state, "trainStep");
  const Napi::Int32Array tokens = int32_arg(info, 0, "trainStep", "tokens");
  const bool has_mask = info.Length() > 1 && !info[1].IsNull();
  std::vector<float> mask;
  if (has_mask) {
    const Napi::Float32Array m = float32_arg(info, 1, "trainStep", "lossMask (or null)");
    mask.assign(m.Data(), m.Data() + m.ElementLength());
  }
  const double lr = number_arg(info, 2, "trainStep", "lr");
  const int64_t step = integer_arg(info, 3, "trainStep", "step");
  auto ids = std::make_shared<std::vector<int32_t>>(tokens.Data(), tokens.Data() + tokens.ElementLength());
  auto weights = std::make_shared<std::vector<float>>(std::move(mask));
  return PromiseWorker<model::StepResult>::start(
      env, state->thread, info.This().As<Napi::Object>(),
      [state, ids, weights, has_mask, lr, step] {
        return state->trainer->train_step(ids->data(), int64_t(ids->size()), has_mask ? weights->data() : nullptr,
                                          int64_t(weights->size()), lr, step);
      },
      [](Napi::Env env, model::StepResult& r) -> Napi::Value {
        Napi::Object out = Napi::Object::New(env);
        out.Set("loss", r.loss);
        out.Set("gradNorm", r.grad_norm);
        out.Set("skipped", r.skipped);
        if (r.non_finite.empty()) {
          out.Set("nonFinite", env.Null());
        } else {
          Napi::Object bad = Napi::Object::New(env);
          bad.Set("step", double(r.step));
          bad.Set("tensor", r.non_finite);
          out.Set("nonFinite", bad);
        }
        Napi::Object timings = Napi::Object::New(env);
        timings.Set("forwardMs", r.timings.forward_ms);
        timings.Set("backwardMs", r.timings.backward_ms);
        timings.Set("optimizerMs", r.timings.optimizer_ms);
        timings.Set("gradientSyncMs", r.timings.gradient_sync_ms);
        timings.Set("totalMs", r.timings.total_ms);
        out.Set("timings", timings);
        return out;
      });
}

// evalLoss(tokens: Int32Array) → Promise<number>
Napi::Value eval_loss(const Napi::CallbackInfo& info, const State& state) {
  Napi::Env env = info.Env();
  check_open(env, *state, "evalLoss");
  const Napi::Int32Array tokens = int32_arg(info, 0, "evalLoss", "tokens");
  auto ids = std::make_shared<std::vector<int32_t>>(tokens.Data(), tokens.Data() + tokens.ElementLength());
  return PromiseWorker<double>::start(
      env, state->thread, info.This().As<Napi::Object>(),
      [state, ids] { return state->trainer->eval_loss(ids->data(), int64_t(ids->size())); },
      [](Napi::Env env, double& loss) -> Napi::Value { return Napi::Number::New(env, loss); });
}

// logits(tokens: Int32Array, batch: number, seqLen: number) → Promise<Float32Array (batch·seqLen·V)>
Napi::Value logits(const Napi::CallbackInfo& info, const State& state) {
  Napi::Env env = info.Env();
  check_open(env, *state, "logits");
  const Napi::Int32Array tokens = int32_arg(info, 0, "logits", "tokens");
  const int64_t batch = integer_arg(info, 1, "logits", "batch");
  const int64_t seq_len = integer_arg(info, 2, "logits", "seqLen");
  auto ids = std::make_shared<std::vector<int32_t>>(tokens.Data(), tokens.Data() + tokens.ElementLength());
  using Output = std::shared_ptr<std::vector<float>>;
  return PromiseWorker<Output>::start(
      env, state->thread, info.This().As<Napi::Object>(),
      [state, ids, batch, seq_len] {
        model::Trainer& trainer = *state->trainer;
        trainer.check_logits_input(ids->data(), int64_t(ids->size()), batch, seq_len);
        auto out = std::make_shared<std::vector<float>>(size_t(batch * seq_len * trainer.model_config().vocab_size));
        trainer.logits(out->data(), ids->data(), int64_t(ids->size()), batch, seq_len);
        return out;
      },
      [](Napi::Env env, Output& out) -> Napi::Value {
        // Hands the vector to JS without a copy; the finalizer frees it with the ArrayBuffer.
        auto* owned = new std::vector<float>(std::move(*out));
        Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(
            env, owned->data(), owned->size() * sizeof(float),
            [](Napi::Env, void*, std::vector<float>* v) { delete v; }, owned);
        return Napi::Float32Array::New(env, owned->size(), buffer, 0);
      });
}

// ---- short synchronous calls ---------------------------------------------------------------------

const char* kind_name(model::TensorKind kind) {
  switch (kind) {
    case model::TensorKind::parameter: return "parameter";
    case model::TensorKind::exp_avg: return "exp_avg";
    case model::TensorKind::exp_avg_sq: return "exp_avg_sq";
  }
  return "parameter";
}

// tensorInfo() → [{name, shape, dtype: 'F32', kind, decay}]
Napi::Value tensor_info(const Napi::CallbackInfo& info, const State& state) {
  Napi::Env env = info.Env();
  check_open(env, *state, "tensorInfo");
  const std::vector<model::TensorInfo> tensors = state->trainer->tensor_info();
  Napi::Array out = Napi::Array::New(env, tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("name", tensors[i].name);
    Napi::Array shape = Napi::Array::New(env, tensors[i].shape.size());
    for (size_t d = 0; d < tensors[i].shape.size(); ++d) shape.Set(uint32_t(d), double(tensors[i].shape[d]));
    entry.Set("shape", shape);
    entry.Set("dtype", "F32");
    entry.Set("kind", kind_name(tensors[i].kind));
    entry.Set("decay", tensors[i].decay);
    set_tensor_placement(env, entry, tensors[i]);
    out.Set(uint32_t(i), entry);
  }
  return out;
}

// getTensor(name) / getGradient(name) → Float32Array copy
Napi::Value read_tensor(const Napi::CallbackInfo& info, const State& state, const char* call, bool gradient) {
  Napi::Env env = info.Env();
  check_open(env, *state, call);
  const std::string name = string_arg(info, 0, call, "name");
  const int64_t count = guard(env, [&] { return state->trainer->tensor_elements(name, call); });
  if (gradient && name.rfind("optimizer.", 0) == 0) {
    throw_invalid(env, std::string(call) + ": '" + name + "' is an optimizer moment; gradients exist for parameters only");
  }
  Napi::Float32Array out = Napi::Float32Array::New(env, size_t(count));
  float* data = out.Data();
  run_and_wait(env, *state, [&] {
    if (gradient) {
      state->trainer->get_gradient(name, data, count);
    } else {
      state->trainer->get_tensor(name, data, count);
    }
  });
  return out;
}

Napi::Value get_tensor(const Napi::CallbackInfo& info, const State& state) {
  return read_tensor(info, state, "getTensor", false);
}

Napi::Value get_gradient(const Napi::CallbackInfo& info, const State& state) {
  return read_tensor(info, state, "getGradient", true);
}

// setTensor(name, data: Float32Array)
Napi::Value set_tensor(const Napi::CallbackInfo& info, const State& state) {
  Napi::Env env = info.Env();
  check_open(env, *state, "setTensor");
  const std::string name = string_arg(info, 0, "setTensor", "name");
  const Napi::Float32Array data = float32_arg(info, 1, "setTensor", "data");
  const float* values = data.Data();
  const int64_t count = int64_t(data.ElementLength());
  run_and_wait(env, *state, [&] { state->trainer->set_tensor(name, values, count); });
  return env.Undefined();
}

Napi::Value optimizer_step(const Napi::CallbackInfo& info, const State& state) {
  Napi::Env env = info.Env();
  check_open(env, *state, "optimizerStep");
  int64_t step = 0;
  run_and_wait(env, *state, [&] { step = state->trainer->optimizer_step(); });
  return Napi::Number::New(env, double(step));
}

Napi::Value set_optimizer_step(const Napi::CallbackInfo& info, const State& state) {
  Napi::Env env = info.Env();
  check_open(env, *state, "setOptimizerStep");
  const int64_t step = integer_arg(info, 0, "setOptimizerStep", "step");
  run_and_wait(env, *state, [&] { state->trainer->set_optimizer_step(step); });
  return env.Undefined();
}

// close(): frees the engine's memory after the calls already queued; later calls are refused.
Napi::Value close(const Napi::CallbackInfo& info, const State& state) {
  if (!state->closed) {
    state->closed = true;
    // A raw pointer: a shared_ptr released on the compute thread could end up destroying that
    // thread's own object (the state dies after the thread is joined, so this stays valid).
    EngineState* raw = state.get();
    state->thread.submit([raw] {
      raw->decoder.reset();  // reads the trainer's parameters: goes first
      raw->trainer.reset();
    });
  }
  return info.Env().Undefined();
}

Napi::Object make_handle(Napi::Env env, const State& state) {
  Napi::Object handle = Napi::Object::New(env);
  const model::Trainer& trainer = *state->trainer;
  handle.Set("threads", Napi::Number::New(env, trainer.threads()));
  int64_t parameters = 0;
  for (const model::TensorInfo& t : trainer.tensor_info()) {
    if (t.kind != model::TensorKind::parameter) continue;
    int64_t n = 1;
    for (int64_t d : t.shape) n *= d;
    parameters += n;
  }
  handle.Set("parameterCount", Napi::Number::New(env, double(parameters)));
  define_method(env, handle, "trainStep", state, train_step);
  define_method(env, handle, "evalLoss", state, eval_loss);
  define_method(env, handle, "logits", state, logits);
  define_method(env, handle, "tensorInfo", state, tensor_info);
  define_method(env, handle, "getTensor", state, get_tensor);
  define_method(env, handle, "setTensor", state, set_tensor);
  define_method(env, handle, "getGradient", state, get_gradient);
  define_method(env, handle, "optimizerStep", state, optimizer_step);
  define_method(env, handle, "setOptimizerStep", state, set_optimizer_step);
  define_method(env, handle, "close", state, close);
  add_decode_methods(env, handle, state);
  add_parallel_methods(env, handle, state);
  return handle;
}

// createEngine(spec) → Promise<engine>; the parameters are allocated and initialized on the new
// engine's compute thread.
Napi::Value create_engine(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsObject()) {
    throw Napi::TypeError::New(env, "createEngine(spec): spec must be an object (see engineSpecFromConfig)");
  }
  EngineSpec spec;
  std::optional<EngineRendezvous> rendezvous;
  try {
    spec = read_engine_spec(info[0].As<Napi::Object>());
    spec.model.validate();
    spec.training.validate();
    spec.parallel.validate_for(spec.model);
    rendezvous = read_engine_rendezvous(info[0].As<Napi::Object>());
  } catch (const Napi::Error&) {
    throw;  // a TypeError about the spec's shape, already a JS error
  } catch (const std::exception& e) {
    throw to_js_error(env, e);  // an unsupported or inconsistent value, named by its config key
  }
  auto state = std::make_shared<EngineState>();
  return PromiseWorker<Done>::start(
      env, state->thread, info[0].As<Napi::Object>(),
      [state, spec, rendezvous] {
        // A multi-process engine joins its world (and makes its dp/tp/pp groups) first.
        std::shared_ptr<model::ParallelContext> parallel =
            rendezvous ? model::ParallelContext::create(
                             spec.parallel, comm::GlooCommunicator::create(rendezvous->store, rendezvous->gloo))
                       : model::ParallelContext::single(spec.parallel);
        state->trainer =
            std::make_unique<model::Trainer>(spec.model, spec.training, spec.seed, spec.threads, std::move(parallel));
        return Done{};
      },
      [state](Napi::Env env, Done&) -> Napi::Value { return make_handle(env, state); });
}

}  // namespace

void register_engine(Napi::Env env, Napi::Object exports) {
  exports.Set("createEngine", Napi::Function::New(env, create_engine, "createEngine"));
}

}  // namespace neox::binding
