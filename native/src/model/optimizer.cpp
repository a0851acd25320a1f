#include "model/optimizer.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"
#include "cpu/adamw.h"
#include "cpu/grad_norm.h"
#include "model/op_profile.h"

namespace neox::model {

AdamWOptimizer::AdamWOptimizer(const ParamLayout& layout, const TrainingConfig& config)
    : layout_(layout), config_(config) {
  config_.validate();
  const auto& tensors = layout.tensors();
  for (size_t k = 0; k < tensors.size(); ++k) {
    segments_.push_back({tensors[k].offset, tensors[k].numel, tensors[k].offset, k});
  }
  moment_elements_ = layout.total_elements();
}

AdamWOptimizer::AdamWOptimizer(const ParamLayout& layout, const TrainingConfig& config,
                               const std::vector<std::pair<int64_t, int64_t>>& owned)
    : layout_(layout), config_(config), owns_everything_(false) {
  config_.validate();
  const auto& tensors = layout.tensors();
  int64_t moments = 0;
  for (const auto& [begin, end] : owned) {
    for (size_t k = 0; k < tensors.size(); ++k) {
      const int64_t b = std::max(begin, tensors[k].offset), e = std::min(end, tensors[k].offset + tensors[k].numel);
      if (b >= e) continue;
      segments_.push_back({b, e - b, moments, k});
      moments += e - b;
    }
  }
  moment_elements_ = moments;
}

void AdamWOptimizer::allocate_moments() {
  if (exp_avg_.size() == moment_elements_) return;
  exp_avg_.reset(moment_elements_);
  exp_avg_sq_.reset(moment_elements_);
}

double AdamWOptimizer::gradient_sum_of_squares(const float* grads, bool skip_tp_replicated) const {
  double sum = 0;
  ScopedOpTimer timer("gradient norm");
  for (const OptimizerSegment& s : segments_) {
    const TensorSpec& spec = layout_.tensors()[s.tensor];
    if ((skip_tp_replicated && spec.tp_replicated) || spec.pipe_tied_copy) continue;
    sum += cpu::sum_of_squares(grads + s.offset, s.count);
  }
  return sum;
}

double AdamWOptimizer::gradient_norm(const float* grads) const { return std::sqrt(gradient_sum_of_squares(grads)); }

int64_t AdamWOptimizer::first_non_finite_tensor(const float* grads) const {
  for (const OptimizerSegment& s : segments_) {
    if (cpu::first_non_finite(grads + s.offset, s.count) >= 0) return int64_t(s.tensor);
  }
  return -1;
}

std::string AdamWOptimizer::first_non_finite_gradient(const float* grads) const {
  const int64_t k = first_non_finite_tensor(grads);
  return k < 0 ? "" : layout_.tensors()[size_t(k)].name;
}

double AdamWOptimizer::step(float* params, const float* grads, double grad_norm, double lr) {
  const double clip = config_.gradient_clipping > 0 ? cpu::clip_coefficient(grad_norm, config_.gradient_clipping) : 1.0;
  cpu::AdamWHyper hyper;
  hyper.lr = lr;
  hyper.beta1 = config_.beta1;
  hyper.beta2 = config_.beta2;
  hyper.eps = config_.eps;
  const int64_t t = step_count_ + 1;
  allocate_moments();
  ScopedOpTimer timer("adamw");
  for (const OptimizerSegment& s : segments_) {
    hyper.weight_decay = layout_.tensors()[s.tensor].decay ? config_.weight_decay : 0.0;
    const int64_t o = s.offset, m = s.moment_offset;
    cpu::adamw_update(params + o, grads + o, exp_avg_.data() + m, exp_avg_sq_.data() + m, s.count, hyper, t, clip);
  }
  step_count_ = t;
  return clip;
}

void AdamWOptimizer::set_step_count(int64_t step) {
  NEOX_CHECK_ARG(step >= 0, "setOptimizerStep: step is " << step << "; it must be an integer >= 0 (applied updates)");
  step_count_ = step;
}

}  // namespace neox::model
