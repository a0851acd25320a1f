#include "cpu/rmsnorm.h"

#include <cmath>

#include "core/errors.h"
#include "core/threads.h"
#include "cpu/column_sums.h"

namespace neox::cpu {

namespace {

void check_rmsnorm_args(const void* inp, const void* scale, int64_t rows, int64_t channels) {
  NEOX_CHECK_ARG(rows >= 0 && channels > 0, "rmsnorm shape rows=" << rows << " C=" << channels
                 << " is invalid; rows must be >= 0 and C > 0");
  NEOX_CHECK_ARG(inp != nullptr && scale != nullptr, "rmsnorm got a null input or scale pointer; pass both");
}

constexpr int64_t kRowsPerTask = 8;

}  // namespace

template <typename T>
void rmsnorm_forward(T* out, T* rstd, const T* inp, const T* scale, int64_t rows, int64_t channels, double eps) {
  check_rmsnorm_args(inp, scale, rows, channels);
  NEOX_CHECK_ARG(out != nullptr && rstd != nullptr, "rmsnorm_forward needs out and rstd buffers; one is null");
  NEOX_CHECK_ARG(eps > 0, "rmsnorm eps is " << eps << "; it must be > 0 (GPT-NeoX rms_norm_epsilon default 1e-8)");
  parallel_for(rows, kRowsPerTask, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* x = inp + r * channels;
      T squares = 0;
#pragma omp simd reduction(+ : squares)
      for (int64_t c = 0; c < channels; ++c) squares += x[c] * x[c];
      const T rs = T(1) / std::sqrt(squares / T(channels) + T(eps));
      T* y = out + r * channels;
      for (int64_t c = 0; c < channels; ++c) y[c] = scale[c] * (x[c] * rs);
      rstd[r] = rs;
    }
  });
}

template <typename T>
void rmsnorm_backward(T* dinp, T* dscale, const T* dout, const T* inp, const T* scale, const T* rstd, int64_t rows,
                      int64_t channels) {
  check_rmsnorm_args(inp, scale, rows, channels);
  NEOX_CHECK_ARG(dout != nullptr && rstd != nullptr, "rmsnorm_backward needs dout and rstd; one is null");
  if (dinp != nullptr) {
    // dx = rstd · (dout ⊙ scale) − rstd³/C · Σ(dout ⊙ scale ⊙ x) · x
    parallel_for(rows, kRowsPerTask, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const T* x = inp + r * channels;
        const T* dy = dout + r * channels;
        const T rs = rstd[r];
        T dot = 0;
#pragma omp simd reduction(+ : dot)
        for (int64_t c = 0; c < channels; ++c) dot += dy[c] * scale[c] * x[c];
        const T correction = rs * rs * rs * dot / T(channels);
        T* dx = dinp + r * channels;
        for (int64_t c = 0; c < channels; ++c) dx[c] += rs * dy[c] * scale[c] - correction * x[c];
      }
    });
  }
  if (dscale != nullptr) {
    accumulate_column_sums<T, 1>(rows, channels, {dscale}, [&](int64_t r, int64_t c0, int64_t c1, auto& acc) {
      const T* x = inp + r * channels;
      const T* dy = dout + r * channels;
      const T rs = rstd[r];
      T* ds = acc[0];
      for (int64_t c = c0; c < c1; ++c) ds[c - c0] += dy[c] * x[c] * rs;
    });
  }
}

#define NEOX_INSTANTIATE_RMSNORM(T)                                                                    \
  template void rmsnorm_forward<T>(T*, T*, const T*, const T*, int64_t, int64_t, double);            \
  template void rmsnorm_backward<T>(T*, T*, const T*, const T*, const T*, const T*, int64_t, int64_t);
NEOX_INSTANTIATE_RMSNORM(float)
NEOX_INSTANTIATE_RMSNORM(double)

}  // namespace neox::cpu
