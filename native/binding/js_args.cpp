#include "js_args.h"

#include "core/errors.h"

namespace neox::binding {

[[noreturn]] void throw_invalid(Napi::Env env, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, error_code_name(ErrorCode::InvalidArgument)));
  throw error;
}

const char* typed_array_name(const Napi::Value& value) {
  if (!value.IsTypedArray()) return value.IsNull() ? "null" : value.IsUndefined() ? "undefined" : "not a typed array";
  switch (value.As<Napi::TypedArray>().TypedArrayType()) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    default: return "a BigInt array";
  }
}

Napi::Int32Array int32_arg(const Napi::CallbackInfo& info, size_t index, const char* call, const char* name) {
  if (info.Length() <= index || !info[index].IsTypedArray() ||
      info[index].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw Napi::TypeError::New(info.Env(), std::string(call) + ": " + name + " must be an Int32Array (got " +
                                               (info.Length() <= index ? "nothing" : typed_array_name(info[index])) + ")");
  }
  return info[index].As<Napi::Int32Array>();
}

Napi::Float32Array float32_arg(const Napi::CallbackInfo& info, size_t index, const char* call, const char* name) {
  if (info.Length() <= index || !info[index].IsTypedArray() ||
      info[index].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(info.Env(), std::string(call) + ": " + name + " must be a Float32Array (got " +
                                               (info.Length() <= index ? "nothing" : typed_array_name(info[index])) + ")");
  }
  return info[index].As<Napi::Float32Array>();
}

double number_arg(const Napi::CallbackInfo& info, size_t index, const char* call, const char* name) {
  if (info.Length() <= index || !info[index].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string(call) + ": " + name + " must be a number");
  }
  return info[index].As<Napi::Number>().DoubleValue();
}

int64_t integer_arg(const Napi::CallbackInfo& info, size_t index, const char* call, const char* name) {
  const double value = number_arg(info, index, call, name);
  if (value != double(int64_t(value))) {
    throw Napi::TypeError::New(info.Env(), std::string(call) + ": " + name + " must be an integer (got " +
                                               std::to_string(value) + ")");
  }
  return int64_t(value);
}

std::string string_arg(const Napi::CallbackInfo& info, size_t index, const char* call, const char* name) {
  if (info.Length() <= index || !info[index].IsString()) {
    throw Napi::TypeError::New(info.Env(), std::string(call) + ": " + name + " must be a string");
  }
  return info[index].As<Napi::String>().Utf8Value();
}

}  // namespace neox::binding
