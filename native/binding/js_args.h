// Typed reads of JS call arguments with TypeErrors that name the call, the argument and what
// was given, and the InvalidArgument error thrown at the JS boundary (shared by the binding files).
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

namespace neox::binding {

// Throws a JS Error with code NEOX_INVALID_ARGUMENT.
[[noreturn]] void throw_invalid(Napi::Env env, const std::string& message);
// "Int32Array", "null", "not a typed array", …
const char* typed_array_name(const Napi::Value& value);
Napi::Int32Array int32_arg(const Napi::CallbackInfo& info, size_t index, const char* call, const char* name);
Napi::Float32Array float32_arg(const Napi::CallbackInfo& info, size_t index, const char* call, const char* name);
double number_arg(const Napi::CallbackInfo& info, size_t index, const char* call, const char* name);
int64_t integer_arg(const Napi::CallbackInfo& info, size_t index, const char* call, const char* name);
std::string string_arg(const Napi::CallbackInfo& info, size_t index, const char* call, const char* name);

}  // namespace neox::binding
