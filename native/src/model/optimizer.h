// The optimizer step over the model's flat buffers (reference §3.3, §3.4): the global gradient
// norm, DeepSpeed's clipping rule, the non-finite check, and AdamW per tensor with weight decay
// only where the layout says so. Moments exp_avg and exp_avg_sq share the parameter layout.
#pragma once

#include <cstdint>
#include <string>

#include "model/buffer.h"
#include "model/model_config.h"
#include "model/param_layout.h"

namespace neox::model {

class AdamWOptimizer {
 public:
  AdamWOptimizer(const ParamLayout& layout, const TrainingConfig& config);

  // sqrt(Σ over every parameter gradient of g²), summed in tensor order (deterministic).
  double gradient_norm(const float* grads) const;
  // Name of the first tensor (layout order) whose gradient holds a NaN or Inf, or "" when none.
  std::string first_non_finite_gradient(const float* grads) const;
  // Clips by `grad_norm` (gradient_clipping, 0 = off) and applies one AdamW update with `lr`;
  // the step count advances. Returns the clip coefficient used.
  double step(float* params, const float* grads, double grad_norm, double lr);

  float* exp_avg() { return exp_avg_.data(); }
  const float* exp_avg() const { return exp_avg_.data(); }
  float* exp_avg_sq() { return exp_avg_sq_.data(); }
  const float* exp_avg_sq() const { return exp_avg_sq_.data(); }
  int64_t step_count() const { return step_count_; }
  void set_step_count(int64_t step);

 private:
  const ParamLayout& layout_;
  TrainingConfig config_;
  Buffer<float> exp_avg_, exp_avg_sq_;
  int64_t step_count_ = 0;
};

}  // namespace neox::model
