// The MLP's activation between its two linears (reference §1.5, §2.2), behind one call:
//   gelu / gelu_tanh: (rows, F) → (rows, F);   swiglu: (rows, 2F) = [u | g] → (rows, F)
// The backward adds (+=) into dinp, which has the forward input's shape.
#pragma once

#include <cstdint>

#include "cpu/gelu.h"
#include "cpu/swiglu.h"
#include "model/model_config.h"

namespace neox::model {

template <typename T>
void mlp_activation_forward(MlpActivation kind, T* out, const T* inp, int64_t rows, int64_t out_width) {
  switch (kind) {
    case MlpActivation::gelu: cpu::gelu_forward(out, inp, rows * out_width, cpu::GeluApproximation::none); break;
    case MlpActivation::gelu_tanh: cpu::gelu_forward(out, inp, rows * out_width, cpu::GeluApproximation::tanh); break;
    case MlpActivation::swiglu: cpu::swiglu_forward(out, inp, rows, out_width); break;
  }
}

template <typename T>
void mlp_activation_backward(MlpActivation kind, T* dinp, const T* inp, const T* dout, int64_t rows, int64_t out_width) {
  switch (kind) {
    case MlpActivation::gelu:
      cpu::gelu_backward(dinp, inp, dout, rows * out_width, cpu::GeluApproximation::none);
      break;
    case MlpActivation::gelu_tanh:
      cpu::gelu_backward(dinp, inp, dout, rows * out_width, cpu::GeluApproximation::tanh);
      break;
    case MlpActivation::swiglu: cpu::swiglu_backward(dinp, inp, dout, rows, out_width); break;
  }
}

}  // namespace neox::model
