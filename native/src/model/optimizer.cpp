#include "model/optimizer.h"

#include <cmath>

#include "core/errors.h"
#include "cpu/adamw.h"
#include "cpu/grad_norm.h"
#include "model/op_profile.h"

namespace neox::model {

AdamWOptimizer::AdamWOptimizer(const ParamLayout& layout, const TrainingConfig& config)
    : layout_(layout), config_(config) {
  config_.validate();
  exp_avg_.reset(layout.total_elements());
  exp_avg_sq_.reset(layout.total_elements());
}

double AdamWOptimizer::gradient_norm(const float* grads) const {
  double sum = 0;
  ScopedOpTimer timer("gradient norm");
  for (const TensorSpec& spec : layout_.tensors()) sum += cpu::sum_of_squares(grads + spec.offset, spec.numel);
  return std::sqrt(sum);
}

std::string AdamWOptimizer::first_non_finite_gradient(const float* grads) const {
  for (const TensorSpec& spec : layout_.tensors()) {
    if (cpu::first_non_finite(grads + spec.offset, spec.numel) >= 0) return spec.name;
  }
  return "";
}

double AdamWOptimizer::step(float* params, const float* grads, double grad_norm, double lr) {
  const double clip = config_.gradient_clipping > 0 ? cpu::clip_coefficient(grad_norm, config_.gradient_clipping) : 1.0;
  cpu::AdamWHyper hyper;
  hyper.lr = lr;
  hyper.beta1 = config_.beta1;
  hyper.beta2 = config_.beta2;
  hyper.eps = config_.eps;
  const int64_t t = step_count_ + 1;
  ScopedOpTimer timer("adamw");
  for (const TensorSpec& spec : layout_.tensors()) {
    hyper.weight_decay = spec.decay ? config_.weight_decay : 0.0;
    const int64_t o = spec.offset;
    cpu::adamw_update(params + o, grads + o, exp_avg_.data() + o, exp_avg_sq_.data() + o, spec.numel, hyper, t, clip);
  }
  step_count_ = t;
  return clip;
}

void AdamWOptimizer::set_step_count(int64_t step) {
  NEOX_CHECK_ARG(step >= 0, "setOptimizerStep: step is " << step << "; it must be an integer >= 0 (applied updates)");
  step_count_ = step;
}

}  // namespace neox::model
