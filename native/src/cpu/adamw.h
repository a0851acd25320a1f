// AdamW with decoupled weight decay, bias-corrected, as torch.optim.AdamW and apex/DeepSpeed
// FusedAdam (adam_w_mode) in GPT-NeoX (reference §3.3). For step t (t counts applied steps,
// starting at 1) and g = grad · grad_scale:
//   p ← p·(1 − lr·wd)
//   m ← β1·m + (1 − β1)·g          v ← β2·v + (1 − β2)·g²
//   p ← p − lr/(1 − β1^t) · m / (sqrt(v)/sqrt(1 − β2^t) + eps)
// (torch's operation order; equal to p − lr·(m̂/(sqrt(v̂)+eps) + wd·p) with the old p.)
//
// Buffers: flat, n elements each: param, grad (read only), m and v (the optimizer moments, fp32
// in training, zero before step 1). Call once per parameter tensor (or per contiguous group) with
// weight_decay = 0 for biases and norm weights (reference §1.9). grad_scale folds the gradient
// clipping coefficient (grad_norm.h) and 1/loss-scale into the update without another pass.
#pragma once

#include <cstdint>

namespace neox::cpu {

struct AdamWHyper {
  double lr = 0.0;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
};

template <typename T>
void adamw_update(T* param, const T* grad, T* m, T* v, int64_t n, const AdamWHyper& hyper, int64_t step,
                  double grad_scale);

}  // namespace neox::cpu
