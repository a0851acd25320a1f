// A linear layer for a few rows against a large weight matrix (cached decoding: one row per
// sequence per step through the output layer): out = inp · weightᵀ (+ bias), weights [out, in] as in
// matmul.h. BLAS sgemm first packs the whole weight matrix, which for a few rows costs more than
// the product; here each weight row is streamed once and used for every input row while it sits
// in registers. Threads split the output features. Inference only (no backward).
//
//   inp (rows, IC)   weight (OC, IC)   bias (OC) or null   out (rows, OC)    1 ≤ rows ≤ kSkinnyMaxRows
#pragma once

#include <cstdint>

namespace neox::cpu {

constexpr int64_t kSkinnyMaxRows = 8;

template <typename T>
void skinny_matmul_forward(T* out, const T* inp, const T* weight, const T* bias, int64_t rows, int64_t in_features,
                           int64_t out_features);

}  // namespace neox::cpu
