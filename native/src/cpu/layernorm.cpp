#include "cpu/layernorm.h"

#include <cmath>

#include "core/errors.h"
#include "core/threads.h"
#include "cpu/column_sums.h"

namespace neox::cpu {

namespace {

void check_norm_args(const char* op, const void* inp, const void* weight, int64_t rows, int64_t channels) {
  NEOX_CHECK_ARG(rows >= 0 && channels > 0, op << " shape rows=" << rows << " C=" << channels
                 << " is invalid; rows must be >= 0 and C > 0");
  NEOX_CHECK_ARG(inp != nullptr && weight != nullptr, op << " got a null input or weight pointer; pass both");
}

constexpr int64_t kRowsPerTask = 8;

}  // namespace

template <typename T>
void layernorm_forward(T* out, T* mean, T* rstd, const T* inp, const T* weight, const T* bias, int64_t rows,
                       int64_t channels, double eps) {
  check_norm_args("layernorm_forward", inp, weight, rows, channels);
  NEOX_CHECK_ARG(out && mean && rstd && bias, "layernorm_forward needs out, mean, rstd and bias buffers; one is null");
  NEOX_CHECK_ARG(eps > 0, "layernorm eps is " << eps << "; it must be > 0 (GPT-NeoX default 1e-5)");
  parallel_for(rows, kRowsPerTask, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* x = inp + r * channels;
      T sum = 0;
#pragma omp simd reduction(+ : sum)
      for (int64_t c = 0; c < channels; ++c) sum += x[c];
      const T mu = sum / T(channels);
      T squares = 0;
#pragma omp simd reduction(+ : squares)
      for (int64_t c = 0; c < channels; ++c) squares += (x[c] - mu) * (x[c] - mu);
      const T rs = T(1) / std::sqrt(squares / T(channels) + T(eps));
      T* y = out + r * channels;
      for (int64_t c = 0; c < channels; ++c) y[c] = (x[c] - mu) * rs * weight[c] + bias[c];
      mean[r] = mu;
      rstd[r] = rs;
    }
  });
}

template <typename T>
void layernorm_backward(T* dinp, T* dweight, T* dbias, const T* dout, const T* inp, const T* weight, const T* mean,
                        const T* rstd, int64_t rows, int64_t channels) {
  check_norm_args("layernorm_backward", inp, weight, rows, channels);
  NEOX_CHECK_ARG(dout && mean && rstd, "layernorm_backward needs dout, mean and rstd; one is null");
  if (dinp != nullptr) {
    // dx = rstd · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ ⊙ x̂)),  dx̂ = dout ⊙ weight.
    parallel_for(rows, kRowsPerTask, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const T* x = inp + r * channels;
        const T* dy = dout + r * channels;
        const T mu = mean[r], rs = rstd[r];
        T sum_dxhat = 0, sum_dxhat_xhat = 0;
#pragma omp simd reduction(+ : sum_dxhat, sum_dxhat_xhat)
        for (int64_t c = 0; c < channels; ++c) {
          const T dxhat = dy[c] * weight[c];
          sum_dxhat += dxhat;
          sum_dxhat_xhat += dxhat * (x[c] - mu) * rs;
        }
        const T mean_dxhat = sum_dxhat / T(channels), mean_dxhat_xhat = sum_dxhat_xhat / T(channels);
        T* dx = dinp + r * channels;
        for (int64_t c = 0; c < channels; ++c) {
          const T xhat = (x[c] - mu) * rs;
          dx[c] += rs * (dy[c] * weight[c] - mean_dxhat - xhat * mean_dxhat_xhat);
        }
      }
    });
  }
  if (dweight != nullptr || dbias != nullptr) {
    accumulate_column_sums<T, 2>(rows, channels, {dweight, dbias}, [&](int64_t r, int64_t c0, int64_t c1, auto& acc) {
      const T* x = inp + r * channels;
      const T* dy = dout + r * channels;
      const T mu = mean[r], rs = rstd[r];
      T* dw = acc[0];
      T* db = acc[1];
      for (int64_t c = c0; c < c1; ++c) {
        dw[c - c0] += dy[c] * (x[c] - mu) * rs;
        db[c - c0] += dy[c];
      }
    });
  }
}

#define NEOX_INSTANTIATE_LAYERNORM(T)                                                                          \
  template void layernorm_forward<T>(T*, T*, T*, const T*, const T*, const T*, int64_t, int64_t, double);    \
  template void layernorm_backward<T>(T*, T*, T*, const T*, const T*, const T*, const T*, const T*, int64_t, \
                                      int64_t);
NEOX_INSTANTIATE_LAYERNORM(float)
NEOX_INSTANTIATE_LAYERNORM(double)

}  // namespace neox::cpu
