// SwiGLU, GPT-NeoX's gated split (reference §2.2): the first linear's output row is cut in half,
// the FIRST half u is the linear ("up") branch, the SECOND half g the gate:
//   out = silu(g) ⊙ u,   silu(g) = g·σ(g)
// Shapes (rows = B·T, F = width of one half):  inp (rows, 2F) = [u | g]   out (rows, F)
//   swiglu_backward adds (+=) into dinp (rows, 2F):
//     du += dout ⊙ silu(g);   dg += dout ⊙ u ⊙ σ(g)·(1 + g·(1 − σ(g)))
#pragma once

#include <cstdint>

namespace neox::cpu {

template <typename T>
void swiglu_forward(T* out, const T* inp, int64_t rows, int64_t half_width);

template <typename T>
void swiglu_backward(T* dinp, const T* inp, const T* dout, int64_t rows, int64_t half_width);

}  // namespace neox::cpu
