// Linear layer on BLAS: out = inp · weightᵀ (+ bias), weights stored PyTorch-style [out, in].
//
// Shapes (rows = B·T, or any number of rows; IC = in features, OC = out features):
//   inp (rows, IC)   weight (OC, IC)   bias (OC) or null   out (rows, OC)
//
// Gradient convention (the same in every op of src/cpu/): backward ADDS (+=) into every gradient
// buffer it is given, parameter and input gradients alike; the caller zeroes them (once per
// optimizer step for parameters, once per backward for activations). Any gradient pointer may
// be null to skip that gradient.
//   matmul_backward: dinp += dout · weight;  dweight += doutᵀ · inp;  dbias += Σ_rows dout
//
// gemm() (and gemv() below) are the only places where src/cpu/ calls BLAS. gemm: row-major C = α·op(A)·op(B) + β·C,
// dispatching to cblas_sgemm or cblas_dgemm. It runs multi-threaded when called from serial code
// and single-threaded inside a parallel_for region (OpenBLAS's OpenMP build checks
// omp_in_parallel), so callers never nest thread pools.
#pragma once

#include <cstdint>

namespace neox::cpu {

template <typename T>
void gemm(bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
          int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc);

// gemv(): row-major y = α·op(A)·x + β·y with A (m, n), x and y contiguous (cblas_sgemv / dgemv); the
// one-row case of a product, where gemm would pack all of A first (cached decoding, batch 1).
template <typename T>
void gemv(bool transpose_a, int64_t m, int64_t n, T alpha, const T* a, int64_t lda, const T* x, T beta, T* y);

template <typename T>
void matmul_forward(T* out, const T* inp, const T* weight, const T* bias, int64_t rows,
                    int64_t in_features, int64_t out_features);

template <typename T>
void matmul_backward(T* dinp, T* dweight, T* dbias, const T* dout, const T* inp, const T* weight,
                     int64_t rows, int64_t in_features, int64_t out_features);

}  // namespace neox::cpu
