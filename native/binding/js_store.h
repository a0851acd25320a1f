// A comm::Store backed by a JavaScript object — in production the actor's client of the
// coordinator's key-value service. Native code calls it from its compute thread: each call is
// queued to the JS thread through a thread-safe function, runs the object's method there (which
// may return a Promise, e.g. a gRPC call) and the compute thread blocks until the value arrives.
// The JS event loop is never blocked, so the store's own I/O makes progress meanwhile.
//
// The JS object (see CommStore in native/ts/native.ts):
//   set(key, value: Uint8Array) → void | Promise<void>
//   get(key) → Uint8Array | null (or a Promise of one)
//   add(key, delta: number) → number (or a Promise of one)
//   wait(keys: string[], timeoutMs: number) → string[] of keys still missing (or a Promise of one)
#pragma once

#include <napi.h>

#include <chrono>
#include <memory>

#include "comm/store.h"

namespace neox::binding {

class JsStore : public comm::Store {
 public:
  struct Call;

  // JS thread only. Calls other than wait() must answer within `call_timeout`; wait() within its
  // own timeout plus `call_timeout`.
  JsStore(Napi::Env env, Napi::Object store, std::chrono::milliseconds call_timeout);
  // Any thread.
  ~JsStore() override;

  // Native threads only (never the JS thread: it would wait for itself).
  void set(const std::string& key, const std::vector<uint8_t>& value) override;
  std::vector<uint8_t> get(const std::string& key) override;
  std::vector<std::string> wait(const std::vector<std::string>& keys, std::chrono::milliseconds timeout) override;
  int64_t add(const std::string& key, int64_t delta) override;
  std::string describe() const override { return "JS store"; }

  static void call_js(Napi::Env env, Napi::Function unused, Napi::ObjectReference* store, std::shared_ptr<Call>* call);

 private:
  struct Reply;
  Reply run(const std::shared_ptr<Call>& call, std::chrono::milliseconds budget);

  using Tsfn = Napi::TypedThreadSafeFunction<Napi::ObjectReference, std::shared_ptr<Call>, &JsStore::call_js>;
  Tsfn tsfn_;
  std::chrono::milliseconds call_timeout_;
};

}  // namespace neox::binding
