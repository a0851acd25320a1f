#include "engine_rendezvous.h"

#include <cmath>
#include <string>

#include "comm/file_store.h"
#include "js_store.h"

namespace neox::binding {

namespace {

[[noreturn]] void fail(Napi::Env env, const std::string& field, const std::string& what) {
  throw Napi::TypeError::New(env, "createEngine: spec.parallel." + field + " must be " + what +
                                      " (see EngineParallelOptions in native/ts/native.ts)");
}

int64_t integer_field(const Napi::Object& o, const char* key, int64_t min, int64_t max) {
  Napi::Value value = o.Get(key);
  const double n = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : NAN;
  if (!(n == std::floor(n)) || n < double(min) || n > double(max)) {
    fail(o.Env(), key, "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return int64_t(n);
}

std::optional<std::string> nullable_string(const Napi::Object& o, const char* key) {
  Napi::Value value = o.Get(key);
  if (value.IsNull()) return std::nullopt;
  if (!value.IsString()) fail(o.Env(), key, "a string or null");
  return value.As<Napi::String>().Utf8Value();
}

}  // namespace

std::optional<EngineRendezvous> read_engine_rendezvous(const Napi::Object& spec) {
  Napi::Env env = spec.Env();
  Napi::Value value = spec.Get("parallel");
  if (value.IsNull()) return std::nullopt;
  if (!value.IsObject()) {
    throw Napi::TypeError::New(env, "createEngine: spec.parallel must be an object or null (see EngineParallelOptions)");
  }
  const Napi::Object p = value.As<Napi::Object>();
  EngineRendezvous r;
  r.gloo.name = "engine";
  r.gloo.size = int(integer_field(p, "worldSize", 1, 1 << 20));
  r.gloo.rank = int(integer_field(p, "rank", 0, r.gloo.size - 1));
  r.gloo.timeout = std::chrono::milliseconds(integer_field(p, "timeoutMs", 1, int64_t{1} << 40));
  r.gloo.host = nullable_string(p, "host").value_or("127.0.0.1");
  const std::optional<std::string> directory = nullable_string(p, "storeDirectory");
  const Napi::Value store = p.Get("store");
  if (directory.has_value() == !store.IsNull()) fail(env, "store", "an object when storeDirectory is null, else null");
  if (directory) {
    r.store = std::make_shared<comm::FileStore>(*directory, "engine");
  } else {
    if (!store.IsObject()) fail(env, "store", "an object with set, get, add, wait");
    r.store = std::make_shared<JsStore>(env, store.As<Napi::Object>(), r.gloo.timeout);
  }
  return r;
}

}  // namespace neox::binding
