// Turns native exceptions into JS errors whose `code` is the stable neox code (native/ts/errors.ts
// maps it to a typed class). No math here.
#pragma once

#include <napi.h>

#include <exception>

namespace neox::binding {

// Builds the JS error for an exception caught at the boundary.
Napi::Error to_js_error(Napi::Env env, const std::exception& e);

// Runs body(); any std::exception becomes a thrown JS error.
template <typename Body>
auto guard(Napi::Env env, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& e) {
    throw to_js_error(env, e);
  }
}

}  // namespace neox::binding
