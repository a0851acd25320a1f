// An AsyncWorker that runs `work` on a ComputeThread and settles a Promise: resolved with
// to_js(result), or rejected with a JS error carrying the neox error code (see js_errors.h).
#pragma once

#include <napi.h>

#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "compute_thread.h"
#include "core/errors.h"

namespace neox::binding {

template <typename Result>
class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Work = std::function<Result()>;
  using ToJs = std::function<Napi::Value(Napi::Env, Result&)>;

  // Queues the work and returns the Promise. `keep_alive` holds the JS object owning the
  // ComputeThread so it cannot be collected while the work runs.
  static Napi::Promise start(Napi::Env env, ComputeThread& thread, Napi::Object keep_alive, Work work, ToJs to_js) {
    auto* worker = new PromiseWorker(env, thread, keep_alive, std::move(work), std::move(to_js));
    Napi::Promise promise = worker->deferred_.Promise();
    worker->Queue();
    return promise;
  }

 protected:
  void Execute() override {
    try {
      thread_.submit([this] { result_ = std::make_unique<Result>(work_()); }).get();
    } catch (const neox::Error& e) {
      code_ = error_code_name(e.code());
      SetError(e.what());
    } catch (const std::exception& e) {
      code_ = "NEOX_INTERNAL";
      SetError(e.what());
    }
  }

  void OnOK() override {
    Napi::HandleScope scope(Env());
    try {
      deferred_.Resolve(to_js_(Env(), *result_));
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  }

  void OnError(const Napi::Error& error) override {
    Napi::HandleScope scope(Env());
    Napi::Error rejected = Napi::Error::New(Env(), error.Message());
    rejected.Set("code", Napi::String::New(Env(), code_));
    deferred_.Reject(rejected.Value());
  }

 private:
  PromiseWorker(Napi::Env env, ComputeThread& thread, Napi::Object keep_alive, Work work, ToJs to_js)
      : Napi::AsyncWorker(env, "neox.compute"),
        deferred_(Napi::Promise::Deferred::New(env)),
        thread_(thread),
        keep_alive_(Napi::Persistent(keep_alive)),
        work_(std::move(work)),
        to_js_(std::move(to_js)) {}

  Napi::Promise::Deferred deferred_;
  ComputeThread& thread_;
  Napi::ObjectReference keep_alive_;
  Work work_;
  ToJs to_js_;
  std::unique_ptr<Result> result_;
  std::string code_ = "NEOX_INTERNAL";
};

}  // namespace neox::binding
