// The block's normalization, LayerNorm or RMSNorm (reference §1.3, §2.1), behind one call so the
// layer code does not branch on the kind. mean is unused (may be null) for RMSNorm, and so are
// bias / dbias. Gradients add (+=) like every op in src/cpu/.
#pragma once

#include <cstdint>

#include "cpu/layernorm.h"
#include "cpu/rmsnorm.h"
#include "model/model_config.h"

namespace neox::model {

template <typename T>
void norm_forward(NormKind kind, T* out, T* mean, T* rstd, const T* inp, const T* weight, const T* bias, int64_t rows,
                  int64_t channels, double eps) {
  if (kind == NormKind::layernorm) {
    cpu::layernorm_forward(out, mean, rstd, inp, weight, bias, rows, channels, eps);
  } else {
    cpu::rmsnorm_forward(out, rstd, inp, weight, rows, channels, eps);
  }
}

template <typename T>
void norm_backward(NormKind kind, T* dinp, T* dweight, T* dbias, const T* dout, const T* inp, const T* weight,
                   const T* mean, const T* rstd, int64_t rows, int64_t channels) {
  if (kind == NormKind::layernorm) {
    cpu::layernorm_backward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, rows, channels);
  } else {
    cpu::rmsnorm_backward(dinp, dweight, dout, inp, weight, rstd, rows, channels);
  }
}

}  // namespace neox::model
