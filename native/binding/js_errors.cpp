#include "js_errors.h"

#include "core/errors.h"

namespace neox::binding {

Napi::Error to_js_error(Napi::Env env, const std::exception& e) {
  const auto* neox_error = dynamic_cast<const neox::Error*>(&e);
  const char* code = neox_error ? error_code_name(neox_error->code()) : "NEOX_INTERNAL";
  Napi::Error error = Napi::Error::New(env, e.what());
  error.Set("code", Napi::String::New(env, code));
  return error;
}

}  // namespace neox::binding
