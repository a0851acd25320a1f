#include "cpu/bias_dropout_residual.h"

#include "core/errors.h"
#include "core/threads.h"
#include "cpu/column_sums.h"

namespace neox::cpu {

namespace {

constexpr int64_t kRowsPerTask = 8;

// keep/(1−p) for element `index`: 0 or 1/(1−p), or 1 when dropout is off.
template <typename T>
T keep_factor(const DropoutMask& mask, uint64_t index, T keep_scale) {
  return mask.active() ? (mask.keep(index) ? keep_scale : T(0)) : T(1);
}

}  // namespace

template <typename T>
void bias_dropout_residual_forward(T* out, const T* x, const T* bias, const T* residual, int64_t rows,
                                   int64_t channels, const DropoutSpec& dropout) {
  NEOX_CHECK_ARG(rows >= 0 && channels > 0, "bias_dropout_residual_forward: shape rows=" << rows << " C=" << channels
                 << " is invalid; rows must be >= 0 and C > 0");
  NEOX_CHECK_ARG(out != nullptr && x != nullptr, "bias_dropout_residual_forward got a null out or x pointer; pass both");
  const DropoutMask mask(dropout);
  const T keep_scale = T(mask.keep_scale());
  parallel_for(rows, kRowsPerTask, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* xr = x + r * channels;
      const T* res = residual ? residual + r * channels : nullptr;
      T* y = out + r * channels;
      for (int64_t c = 0; c < channels; ++c) {
        const T z = (xr[c] + (bias ? bias[c] : T(0))) * keep_factor(mask, uint64_t(r * channels + c), keep_scale);
        y[c] = (res ? res[c] : T(0)) + z;
      }
    }
  });
}

template <typename T>
void bias_dropout_residual_backward(T* dx, T* dbias, T* dresidual, const T* dout, int64_t rows, int64_t channels,
                                    const DropoutSpec& dropout) {
  NEOX_CHECK_ARG(rows >= 0 && channels > 0, "bias_dropout_residual_backward: shape rows=" << rows << " C=" << channels
                 << " is invalid; rows must be >= 0 and C > 0");
  NEOX_CHECK_ARG(dout != nullptr, "bias_dropout_residual_backward got a null dout pointer; pass the output gradient");
  NEOX_CHECK_ARG(dresidual != dout && dx != dout, "bias_dropout_residual_backward: dresidual or dx is the dout buffer;"
                 " pass null for dresidual and keep using dout as the residual gradient");
  const DropoutMask mask(dropout);
  const T keep_scale = T(mask.keep_scale());
  if (dx != nullptr || dresidual != nullptr) {
    parallel_for(rows, kRowsPerTask, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const T* dy = dout + r * channels;
        if (dx != nullptr) {
          T* d = dx + r * channels;
          for (int64_t c = 0; c < channels; ++c) d[c] += dy[c] * keep_factor(mask, uint64_t(r * channels + c), keep_scale);
        }
        if (dresidual != nullptr) {
          T* d = dresidual + r * channels;
          for (int64_t c = 0; c < channels; ++c) d[c] += dy[c];
        }
      }
    });
  }
  if (dbias != nullptr) {
    accumulate_column_sums<T, 1>(rows, channels, {dbias}, [&](int64_t r, int64_t c0, int64_t c1, auto& acc) {
      const T* dy = dout + r * channels;
      T* db = acc[0];
      for (int64_t c = c0; c < c1; ++c) db[c - c0] += dy[c] * keep_factor(mask, uint64_t(r * channels + c), keep_scale);
    });
  }
}

#define NEOX_INSTANTIATE_BIAS_DROPOUT_RESIDUAL(T)                                                               \
  template void bias_dropout_residual_forward<T>(T*, const T*, const T*, const T*, int64_t, int64_t,          \
                                                 const DropoutSpec&);                                         \
  template void bias_dropout_residual_backward<T>(T*, T*, T*, const T*, int64_t, int64_t, const DropoutSpec&);
NEOX_INSTANTIATE_BIAS_DROPOUT_RESIDUAL(float)
NEOX_INSTANTIATE_BIAS_DROPOUT_RESIDUAL(double)

}  // namespace neox::cpu
