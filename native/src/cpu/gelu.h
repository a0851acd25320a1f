// GELU, elementwise (reference §1.5).
//   GeluApproximation::none : gelu(x) = 0.5·x·(1 + erf(x/√2))           (torch F.gelu; HF "gelu")
//   GeluApproximation::tanh : gelu(x) = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
//                             (GPT-NeoX with bias_gelu_fusion: true, i.e. Pythia training; HF
//                             "gelu_fast"/"gelu_new")
// Shapes: any; n elements (B·T·4C for the MLP).  out may alias inp in the forward.
//   gelu_backward adds (+=) gelu'(x)·dout into dinp; it needs the forward's input x.
// Float uses the vectorisable approximations of vec_math.h (erf abs. error ≤ 1.5e-7).
#pragma once

#include <cstdint>

namespace neox::cpu {

enum class GeluApproximation { none, tanh };

template <typename T>
void gelu_forward(T* out, const T* inp, int64_t n, GeluApproximation approximation);

template <typename T>
void gelu_backward(T* dinp, const T* inp, const T* dout, int64_t n, GeluApproximation approximation);

}  // namespace neox::cpu
