#include "cpu/matmul.h"

#include <cblas.h>

#include <algorithm>
#include <array>
#include <climits>

#include "core/errors.h"
#include "core/threads.h"
#include "cpu/column_sums.h"

namespace neox::cpu {

namespace {

void check_blas_dims(int64_t m, int64_t n, int64_t k, int64_t lda, int64_t ldb, int64_t ldc) {
  for (int64_t dim : {m, n, k, lda, ldb, ldc}) {
    NEOX_CHECK_ARG(dim >= 0 && dim <= INT_MAX, "matrix dimension " << dim
                   << " does not fit BLAS's 32-bit int; split the product into smaller chunks");
  }
}

CBLAS_TRANSPOSE to_blas(bool transpose) { return transpose ? CblasTrans : CblasNoTrans; }

void check_linear_args(const void* inp, const void* weight, int64_t rows, int64_t in_features,
                       int64_t out_features) {
  NEOX_CHECK_ARG(rows >= 0 && in_features > 0 && out_features > 0,
                 "linear layer shape rows=" << rows << " in=" << in_features << " out=" << out_features
                 << " is invalid; rows must be >= 0 and both feature counts > 0");
  NEOX_CHECK_ARG(inp != nullptr && weight != nullptr, "linear layer got a null input or weight pointer; pass both buffers");
}

}  // namespace

template <>
void gemm<float>(bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k, float alpha,
                 const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  check_blas_dims(m, n, k, lda, ldb, ldc);
  if (m == 0 || n == 0) return;
  cblas_sgemm(CblasRowMajor, to_blas(transpose_a), to_blas(transpose_b), int(m), int(n), int(k), alpha, a,
              int(lda), b, int(ldb), beta, c, int(ldc));
}

template <>
void gemm<double>(bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k, double alpha,
                  const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  check_blas_dims(m, n, k, lda, ldb, ldc);
  if (m == 0 || n == 0) return;
  cblas_dgemm(CblasRowMajor, to_blas(transpose_a), to_blas(transpose_b), int(m), int(n), int(k), alpha, a,
              int(lda), b, int(ldb), beta, c, int(ldc));
}

template <>
void gemv<float>(bool transpose_a, int64_t m, int64_t n, float alpha, const float* a, int64_t lda, const float* x,
                 float beta, float* y) {
  NEOX_CHECK_ARG(m >= 0 && n >= 0 && lda >= std::max<int64_t>(1, n),
                 "gemv: shape m=" << m << " n=" << n << " lda=" << lda << " is invalid; need m, n >= 0 and lda >= n");
  if (m == 0 || n == 0) return;
  cblas_sgemv(CblasRowMajor, to_blas(transpose_a), int(m), int(n), alpha, a, int(lda), x, 1, beta, y, 1);
}

template <>
void gemv<double>(bool transpose_a, int64_t m, int64_t n, double alpha, const double* a, int64_t lda, const double* x,
                  double beta, double* y) {
  NEOX_CHECK_ARG(m >= 0 && n >= 0 && lda >= std::max<int64_t>(1, n),
                 "gemv: shape m=" << m << " n=" << n << " lda=" << lda << " is invalid; need m, n >= 0 and lda >= n");
  if (m == 0 || n == 0) return;
  cblas_dgemv(CblasRowMajor, to_blas(transpose_a), int(m), int(n), alpha, a, int(lda), x, 1, beta, y, 1);
}

template <typename T>
void matmul_forward(T* out, const T* inp, const T* weight, const T* bias, int64_t rows, int64_t in_features,
                    int64_t out_features) {
  check_linear_args(inp, weight, rows, in_features, out_features);
  NEOX_CHECK_ARG(out != nullptr, "linear layer got a null output pointer; pass a (rows, out_features) buffer");
  T beta = 0;
  if (bias != nullptr) {
    // Start every output row at the bias and let gemm add the product onto it.
    parallel_for(rows, 64, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        T* row = out + r * out_features;
        for (int64_t o = 0; o < out_features; ++o) row[o] = bias[o];
      }
    });
    beta = 1;
  }
  gemm<T>(false, true, rows, out_features, in_features, T(1), inp, in_features, weight, in_features, beta, out,
          out_features);
}

template <typename T>
void matmul_backward(T* dinp, T* dweight, T* dbias, const T* dout, const T* inp, const T* weight, int64_t rows,
                     int64_t in_features, int64_t out_features) {
  check_linear_args(inp, weight, rows, in_features, out_features);
  NEOX_CHECK_ARG(dout != nullptr, "linear backward got a null dout pointer; pass the (rows, out_features) gradient");
  if (dinp != nullptr) {
    gemm<T>(false, false, rows, in_features, out_features, T(1), dout, out_features, weight, in_features, T(1), dinp,
            in_features);
  }
  if (dweight != nullptr) {
    gemm<T>(true, false, out_features, in_features, rows, T(1), dout, out_features, inp, in_features, T(1), dweight,
            in_features);
  }
  if (dbias != nullptr) {
    accumulate_column_sums<T, 1>(rows, out_features, {dbias}, [&](int64_t r, int64_t c0, int64_t c1, auto& acc) {
      const T* row = dout + r * out_features;
      T* sum = acc[0];
      for (int64_t c = c0; c < c1; ++c) sum[c - c0] += row[c];
    });
  }
}

#define NEOX_INSTANTIATE_MATMUL(T)                                                                      \
  template void matmul_forward<T>(T*, const T*, const T*, const T*, int64_t, int64_t, int64_t);       \
  template void matmul_backward<T>(T*, T*, T*, const T*, const T*, const T*, int64_t, int64_t, int64_t);
NEOX_INSTANTIATE_MATMUL(float)
NEOX_INSTANTIATE_MATMUL(double)

}  // namespace neox::cpu
