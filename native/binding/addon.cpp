// Module entry: registers every binding group. Each group lives in its own file.
#include <napi.h>

#include "comm_binding.h"
#include "core/build_info.h"
#include "core/threads.h"
#include "engine_binding.h"
#include "js_errors.h"

namespace neox::binding {
namespace {

Napi::Value build_info_js(const Napi::CallbackInfo& info) {
  const BuildInfo build = build_info();
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("blas", build.blas);
  out.Set("openmp", build.openmp);
  out.Set("gloo", build.gloo);
  out.Set("cuda", build.cuda);
  out.Set("compiler", build.compiler);
  return out;
}

Napi::Value set_num_threads_js(const Napi::CallbackInfo& info) {
  if (info.Length() != 1 || !info[0].IsNumber() || info[0].As<Napi::Number>().Int32Value() < 0) {
    throw Napi::TypeError::New(info.Env(), "setNumThreads(n): n must be an integer >= 0 (0 = all cores)");
  }
  set_num_threads(info[0].As<Napi::Number>().Int32Value());
  return Napi::Number::New(info.Env(), num_threads());
}

Napi::Value num_threads_js(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), num_threads());
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  exports.Set("buildInfo", Napi::Function::New(env, build_info_js));
  exports.Set("setNumThreads", Napi::Function::New(env, set_num_threads_js));
  exports.Set("numThreads", Napi::Function::New(env, num_threads_js));
  register_comm(env, exports);
  register_engine(env, exports);
  return exports;
}

}  // namespace
}  // namespace neox::binding

static Napi::Object init_neox_native(Napi::Env env, Napi::Object exports) {
  return neox::binding::init(env, exports);
}

NODE_API_MODULE(neox_native, init_neox_native)
