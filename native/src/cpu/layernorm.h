// LayerNorm over the last dimension (GPT-NeoX `norm: layernorm`, reference §1.3):
//   out = (x − mean(x)) · rstd ⊙ weight + bias,  rstd = 1/sqrt(var(x) + eps), var biased.
//
// Shapes (rows = B·T):  inp (rows, C)  weight (C)  bias (C)  out (rows, C)  mean (rows)  rstd (rows)
//   layernorm_forward  writes out, mean and rstd (mean/rstd are kept for backward).
//   layernorm_backward adds (+=) into dinp, dweight and dbias (any may be null). dinp may be the
//                      residual-stream gradient: adding into it is how the block's branches sum.
// Determinism: rows are independent; dweight/dbias are column sums that walk the rows in order.
#pragma once

#include <cstdint>

namespace neox::cpu {

template <typename T>
void layernorm_forward(T* out, T* mean, T* rstd, const T* inp, const T* weight, const T* bias, int64_t rows,
                       int64_t channels, double eps);

template <typename T>
void layernorm_backward(T* dinp, T* dweight, T* dbias, const T* dout, const T* inp, const T* weight,
                        const T* mean, const T* rstd, int64_t rows, int64_t channels);

}  // namespace neox::cpu
