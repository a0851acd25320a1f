#include "cpu/gelu.h"

#include "core/errors.h"
#include "core/threads.h"
#include "cpu/vec_math.h"

namespace neox::cpu {

namespace {

constexpr double kSqrtHalf = 0.70710678118654752440;      // 1/√2
constexpr double kInvSqrt2Pi = 0.39894228040143267794;    // 1/√(2π)
constexpr double kSqrt2OverPi = 0.79788456080286535588;   // √(2/π)
constexpr double kTanhCubic = 0.044715;
constexpr int64_t kElementsPerTask = 16384;

template <typename T>
T gelu_erf(T x) { return T(0.5) * x * (T(1) + erf_fast(x * T(kSqrtHalf))); }

// d/dx = Φ(x) + x·φ(x)
template <typename T>
T gelu_erf_grad(T x) {
  return T(0.5) * (T(1) + erf_fast(x * T(kSqrtHalf))) + x * T(kInvSqrt2Pi) * exp_fast(T(-0.5) * x * x);
}

template <typename T>
T gelu_tanh(T x) {
  return T(0.5) * x * (T(1) + tanh_fast(T(kSqrt2OverPi) * (x + T(kTanhCubic) * x * x * x)));
}

// d/dx = 0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²),  t = tanh(u)
template <typename T>
T gelu_tanh_grad(T x) {
  const T t = tanh_fast(T(kSqrt2OverPi) * (x + T(kTanhCubic) * x * x * x));
  return T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t * t) * T(kSqrt2OverPi) * (T(1) + T(3 * kTanhCubic) * x * x);
}

void check_gelu_args(const char* op, const void* a, const void* b, int64_t n) {
  NEOX_CHECK_ARG(n >= 0, op << ": element count " << n << " is negative");
  NEOX_CHECK_ARG(a != nullptr && b != nullptr, op << " got a null buffer; pass the input and the output/gradient");
}

}  // namespace

template <typename T>
void gelu_forward(T* out, const T* inp, int64_t n, GeluApproximation approximation) {
  check_gelu_args("gelu_forward", out, inp, n);
  parallel_for(n, kElementsPerTask, [&](int64_t i0, int64_t i1) {
    if (approximation == GeluApproximation::tanh) {
      for (int64_t i = i0; i < i1; ++i) out[i] = gelu_tanh(inp[i]);
    } else {
      for (int64_t i = i0; i < i1; ++i) out[i] = gelu_erf(inp[i]);
    }
  });
}

template <typename T>
void gelu_backward(T* dinp, const T* inp, const T* dout, int64_t n, GeluApproximation approximation) {
  check_gelu_args("gelu_backward", dinp, inp, n);
  NEOX_CHECK_ARG(dout != nullptr, "gelu_backward got a null dout pointer; pass the output gradient");
  parallel_for(n, kElementsPerTask, [&](int64_t i0, int64_t i1) {
    if (approximation == GeluApproximation::tanh) {
      for (int64_t i = i0; i < i1; ++i) dinp[i] += gelu_tanh_grad(inp[i]) * dout[i];
    } else {
      for (int64_t i = i0; i < i1; ++i) dinp[i] += gelu_erf_grad(inp[i]) * dout[i];
    }
  });
}

#define NEOX_INSTANTIATE_GELU(T)                                                      \
  template void gelu_forward<T>(T*, const T*, int64_t, GeluApproximation);          \
  template void gelu_backward<T>(T*, const T*, const T*, int64_t, GeluApproximation);
NEOX_INSTANTIATE_GELU(float)
NEOX_INSTANTIATE_GELU(double)

}  // namespace neox::cpu
