// The optimizer step over the model's flat buffers (reference §3.3, §3.4): the gradient sum of
// squares, DeepSpeed's clipping rule, the non-finite check, and AdamW with weight decay only where
// the layout says so.
//
// The optimizer updates the parts of the flat buffer it owns: the whole layout in one process
// (moments then share the parameter layout, offset for offset), or, under ZeRO 1/2, the pieces a
// data-parallel rank owns (data_parallel.h), whose moments are packed one after another. Each
// owned range is cut at tensor boundaries into segments (alignment padding skipped), so weight
// decay still follows each tensor's flag.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/buffer.h"
#include "model/model_config.h"
#include "model/param_layout.h"

namespace neox::model {

// A run of one tensor's elements the optimizer updates.
struct OptimizerSegment {
  int64_t offset = 0;         // in the flat parameter/gradient buffer
  int64_t count = 0;
  int64_t moment_offset = 0;  // in the moment buffers
  size_t tensor = 0;          // index into layout.tensors()
};

class AdamWOptimizer {
 public:
  // Owns every tensor (moments laid out as the parameters).
  AdamWOptimizer(const ParamLayout& layout, const TrainingConfig& config);
  // Owns the elements of `owned` (ascending, disjoint flat ranges [begin, end)).
  AdamWOptimizer(const ParamLayout& layout, const TrainingConfig& config,
                 const std::vector<std::pair<int64_t, int64_t>>& owned);

  // Σ of g² over the owned gradients, segment by segment in order (deterministic). In one process
  // its square root is the global norm. skip_tp_replicated: leave out tensors every
  // tensor-parallel rank holds whole (counted by tensor-parallel rank 0 only). The last pipeline
  // stage's copy of tied embeddings is never counted (the first stage counts it).
  double gradient_sum_of_squares(const float* grads, bool skip_tp_replicated = false) const;
  double gradient_norm(const float* grads) const;
  // Index (layout order) of the first owned tensor whose gradient holds a NaN or Inf, or −1.
  int64_t first_non_finite_tensor(const float* grads) const;
  // Name of the first tensor (layout order) whose gradient holds a NaN or Inf, or "" when none.
  std::string first_non_finite_gradient(const float* grads) const;
  // Clips by `grad_norm` (gradient_clipping, 0 = off) and applies one AdamW update with `lr`;
  // the step count advances. Returns the clip coefficient used.
  double step(float* params, const float* grads, double grad_norm, double lr);

  // The moments are allocated (zero) by the first step or the first write through the non-const
  // accessors, so an engine used only for inference never holds them; the const accessors return
  // null until then (read as zeros).
  float* exp_avg() { return allocate_moments(), exp_avg_.data(); }
  const float* exp_avg() const { return exp_avg_.data(); }
  float* exp_avg_sq() { return allocate_moments(), exp_avg_sq_.data(); }
  const float* exp_avg_sq() const { return exp_avg_sq_.data(); }
  int64_t step_count() const { return step_count_; }
  void set_step_count(int64_t step);
  const std::vector<OptimizerSegment>& segments() const { return segments_; }
  // True when the moments cover every tensor at the parameters' offsets.
  bool owns_everything() const { return owns_everything_; }
  // Elements of each moment this optimizer owns, allocated or not.
  int64_t moment_elements() const { return moment_elements_; }
  // Bytes the moments hold now (0 before the first step or write).
  int64_t moment_bytes() const { return (exp_avg_.size() + exp_avg_sq_.size()) * int64_t(sizeof(float)); }

 private:
  const ParamLayout& layout_;
  TrainingConfig config_;
  std::vector<OptimizerSegment> segments_;
  bool owns_everything_ = true;
  void allocate_moments();

  int64_t moment_elements_ = 0;
  Buffer<float> exp_avg_, exp_avg_sq_;
  int64_t step_count_ = 0;
};

}  // namespace neox::model
