#include "cpu/swiglu.h"

#include "core/errors.h"
#include "core/threads.h"
#include "cpu/vec_math.h"

namespace neox::cpu {

namespace {

template <typename T>
T sigmoid(T x) { return T(1) / (T(1) + exp_fast(-x)); }

void check_swiglu_args(const char* op, const void* a, const void* b, int64_t rows, int64_t half_width) {
  NEOX_CHECK_ARG(rows >= 0 && half_width > 0, op << ": shape rows=" << rows << " F=" << half_width
                 << " is invalid; rows must be >= 0 and F (half the first linear's width) > 0");
  NEOX_CHECK_ARG(a != nullptr && b != nullptr, op << " got a null buffer; pass the input and the output/gradient");
}

constexpr int64_t kRowsPerTask = 4;

}  // namespace

template <typename T>
void swiglu_forward(T* out, const T* inp, int64_t rows, int64_t half_width) {
  check_swiglu_args("swiglu_forward", out, inp, rows, half_width);
  parallel_for(rows, kRowsPerTask, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* u = inp + r * 2 * half_width;
      const T* gate = u + half_width;
      T* y = out + r * half_width;
      for (int64_t c = 0; c < half_width; ++c) y[c] = gate[c] * sigmoid(gate[c]) * u[c];
    }
  });
}

template <typename T>
void swiglu_backward(T* dinp, const T* inp, const T* dout, int64_t rows, int64_t half_width) {
  check_swiglu_args("swiglu_backward", dinp, inp, rows, half_width);
  NEOX_CHECK_ARG(dout != nullptr, "swiglu_backward got a null dout pointer; pass the (rows, F) output gradient");
  parallel_for(rows, kRowsPerTask, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* u = inp + r * 2 * half_width;
      const T* gate = u + half_width;
      const T* dy = dout + r * half_width;
      T* du = dinp + r * 2 * half_width;
      T* dgate = du + half_width;
      for (int64_t c = 0; c < half_width; ++c) {
        const T s = sigmoid(gate[c]);
        du[c] += dy[c] * gate[c] * s;
        dgate[c] += dy[c] * u[c] * s * (T(1) + gate[c] * (T(1) - s));
      }
    }
  });
}

#define NEOX_INSTANTIATE_SWIGLU(T)                                          \
  template void swiglu_forward<T>(T*, const T*, int64_t, int64_t);        \
  template void swiglu_backward<T>(T*, const T*, const T*, int64_t, int64_t);
NEOX_INSTANTIATE_SWIGLU(float)
NEOX_INSTANTIATE_SWIGLU(double)

}  // namespace neox::cpu
