// RMSNorm as GPT-NeoX defines it (`norm: rmsnorm`, reference §2.1):
//   out = scale ⊙ x · rstd,  rstd = 1/sqrt(mean(x²) + eps)    (no bias; the parameter is `scale`;
//   GPT-NeoX's default eps is rms_norm_epsilon = 1e-8, Llama configs use 1e-5 or 1e-6)
//
// Shapes (rows = B·T):  inp (rows, C)  scale (C)  out (rows, C)  rstd (rows, kept for backward)
//   rmsnorm_backward adds (+=) into dinp and dscale (either may be null).
#pragma once

#include <cstdint>

namespace neox::cpu {

template <typename T>
void rmsnorm_forward(T* out, T* rstd, const T* inp, const T* scale, int64_t rows, int64_t channels, double eps);

template <typename T>
void rmsnorm_backward(T* dinp, T* dscale, const T* dout, const T* inp, const T* scale, const T* rstd, int64_t rows,
                      int64_t channels);

}  // namespace neox::cpu
