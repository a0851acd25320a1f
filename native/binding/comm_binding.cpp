#include "comm_binding.h"

#include <memory>
#include <string>

#include "comm/gloo_communicator.h"
#include "core/errors.h"
#include "compute_thread.h"
#include "js_store.h"
#include "promise_worker.h"

namespace neox::binding {
namespace {

// What a JS communicator object holds. `communicator` is touched only on `thread`; the JS-side
// fields only on the JS thread.
struct CommState {
  ComputeThread thread;
  std::unique_ptr<comm::Communicator> communicator;
  std::string label;  // "communicator world (rank 0 of 2)"
  bool closed = false;
};

struct Done {};

Napi::Value undefined_result(Napi::Env env, Done&) { return env.Undefined(); }

// Validates one integer option and returns it.
int64_t integer_option(const Napi::Object& options, const char* name, int64_t min, int64_t max) {
  Napi::Value value = options.Get(name);
  const bool ok = value.IsNumber() && value.As<Napi::Number>().DoubleValue() ==
                                          static_cast<double>(value.As<Napi::Number>().Int64Value());
  const int64_t n = ok ? value.As<Napi::Number>().Int64Value() : 0;
  if (!ok || n < min || n > max) {
    throw Napi::TypeError::New(options.Env(), std::string("createCommunicator: options.") + name +
                                                  " must be an integer in [" + std::to_string(min) + ", " +
                                                  std::to_string(max) + "]");
  }
  return n;
}

std::string string_option(const Napi::Object& options, const char* name, bool nullable, const std::string& fallback) {
  Napi::Value value = options.Get(name);
  if (nullable && value.IsNull()) return fallback;
  if (!value.IsString()) {
    throw Napi::TypeError::New(options.Env(), std::string("createCommunicator: options.") + name + " must be a string" +
                                                  (nullable ? " or null" : ""));
  }
  return value.As<Napi::String>().Utf8Value();
}

void check_open(Napi::Env env, const CommState& state, const char* method) {
  if (state.closed) {
    Napi::Error error = Napi::Error::New(env, std::string(method) + " on " + state.label + ": it is closed; create a new one");
    error.Set("code", Napi::String::New(env, error_code_name(ErrorCode::InvalidArgument)));
    throw error;
  }
}

Napi::Object make_handle(Napi::Env env, std::shared_ptr<CommState> state);

// allReduce(data: Float32Array, op: 'sum' | 'average') → Promise<void>, in place.
Napi::Value all_reduce(const Napi::CallbackInfo& info, const std::shared_ptr<CommState>& state) {
  Napi::Env env = info.Env();
  check_open(env, *state, "allReduce");
  if (info.Length() != 2 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array || !info[1].IsString()) {
    throw Napi::TypeError::New(env, "allReduce(data, op): data must be a Float32Array and op 'sum' or 'average'");
  }
  const std::string op_name = info[1].As<Napi::String>().Utf8Value();
  if (op_name != "sum" && op_name != "average") {
    throw Napi::TypeError::New(env, "allReduce(data, op): op is '" + op_name + "'; expected 'sum' or 'average'");
  }
  const comm::ReduceOp op = op_name == "sum" ? comm::ReduceOp::Sum : comm::ReduceOp::Average;
  Napi::Float32Array array = info[0].As<Napi::Float32Array>();
  float* data = array.Data();
  const size_t count = array.ElementLength();
  // Keeps the array (and the communicator object) alive while the compute thread uses them.
  Napi::Object keep_alive = Napi::Object::New(env);
  keep_alive.Set("communicator", info.This());
  keep_alive.Set("data", array);
  return PromiseWorker<Done>::start(
      env, state->thread, keep_alive,
      [state, data, count, op] {
        state->communicator->all_reduce(data, count, comm::DType::Float32, op);
        return Done{};
      },
      undefined_result);
}

Napi::Value barrier(const Napi::CallbackInfo& info, const std::shared_ptr<CommState>& state) {
  check_open(info.Env(), *state, "barrier");
  return PromiseWorker<Done>::start(
      info.Env(), state->thread, info.This().As<Napi::Object>(),
      [state] {
        state->communicator->barrier();
        return Done{};
      },
      undefined_result);
}

// close() → Promise<void>: after the calls already queued, closes the connections (peers see a
// clean end, not an error in a later call of theirs). Calls after close() are refused.
Napi::Value close(const Napi::CallbackInfo& info, const std::shared_ptr<CommState>& state) {
  state->closed = true;
  return PromiseWorker<Done>::start(
      info.Env(), state->thread, info.This().As<Napi::Object>(),
      [state] {
        state->communicator.reset();
        return Done{};
      },
      undefined_result);
}

template <typename Method>
void define_method(Napi::Env env, Napi::Object handle, const char* name, const std::shared_ptr<CommState>& state,
                   Method method) {
  handle.Set(name, Napi::Function::New(
                       env, [state, method](const Napi::CallbackInfo& info) { return method(info, state); }, name));
}

Napi::Object make_handle(Napi::Env env, std::shared_ptr<CommState> state) {
  Napi::Object handle = Napi::Object::New(env);
  const comm::Communicator& c = *state->communicator;
  handle.Set("rank", Napi::Number::New(env, c.rank()));
  handle.Set("size", Napi::Number::New(env, c.size()));
  handle.Set("name", Napi::String::New(env, c.name()));
  define_method(env, handle, "allReduce", state, all_reduce);
  define_method(env, handle, "barrier", state, barrier);
  define_method(env, handle, "close", state, close);
  return handle;
}

// createCommunicator({rank, size, name, store, timeoutMs, host}) → Promise<communicator>.
// The rendezvous runs on the new communicator's compute thread and calls the JS store from there.
Napi::Value create_communicator(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsObject()) {
    throw Napi::TypeError::New(env, "createCommunicator(options): options must be an object");
  }
  Napi::Object options = info[0].As<Napi::Object>();
  comm::GlooOptions gloo;
  gloo.size = static_cast<int>(integer_option(options, "size", 1, 1 << 20));
  gloo.rank = static_cast<int>(integer_option(options, "rank", 0, gloo.size - 1));
  gloo.timeout = std::chrono::milliseconds(integer_option(options, "timeoutMs", 1, int64_t{1} << 40));
  gloo.name = string_option(options, "name", false, "");
  gloo.host = string_option(options, "host", true, "127.0.0.1");
  if (!options.Get("store").IsObject()) {
    throw Napi::TypeError::New(env, "createCommunicator: options.store must be an object with set, get, add, wait");
  }
  auto store = std::make_shared<JsStore>(env, options.Get("store").As<Napi::Object>(), gloo.timeout);
  auto state = std::make_shared<CommState>();
  state->label = "communicator " + gloo.name + " (rank " + std::to_string(gloo.rank) + " of " +
                 std::to_string(gloo.size) + ")";
  return PromiseWorker<Done>::start(
      env, state->thread, options,
      [state, store, gloo] {
        state->communicator = comm::GlooCommunicator::create(store, gloo);
        return Done{};
      },
      [state](Napi::Env env, Done&) -> Napi::Value { return make_handle(env, state); });
}

}  // namespace

void register_comm(Napi::Env env, Napi::Object exports) {
  exports.Set("createCommunicator", Napi::Function::New(env, create_communicator, "createCommunicator"));
}

}  // namespace neox::binding
