// The training engine of one process: the fp32 model, its AdamW state and the step logic of
// GPT-NeoX (reference §3.3–3.6), behind the calls the addon exposes (native/ts/native.ts):
//
//   train_step: tokens (gradient_accumulation_steps · micro_batch rows of seq_length + 1 ids),
//     optional loss mask (one weight per target, rows · seq_length); each micro-batch's loss is
//     scaled by 1/GAS before its backward, so the gradients are the mean over micro-batches;
//     then the global norm, clipping (gradient_clipping) and AdamW with the given lr. A
//     non-finite loss or gradient skips the update and names the first tensor that went bad
//     ("loss", or the parameter whose gradient did). The lr schedule lives in TypeScript.
//   eval_loss: one micro-batch, no dropout, no gradients.   logits: (batch·seq_len, V).
//   tensors: every parameter and both AdamW moments under global names (param_layout.h);
//     moments are "optimizer.exp_avg.<name>" and "optimizer.exp_avg_sq.<name>". gradient(name)
//     reads the last step's gradient (before clipping).
//
// Data parallelism (parallel_context.h, data_parallel.h): each dp rank passes its own rows (its
//   slice of the global batch, node/actor/batches.ts) with the per-rank batch shape; gradients
//   are averaged over dp, the reported loss is the mean over dp ranks, and the norm, clipping and
//   skip decisions are the same on every rank. Tensor parallelism (model_parallel_size): the model
//   is this rank's shard (tensors by global name, local shape, TensorInfo boxes); every tp rank
//   passes the same rows. Pipeline parallelism (pipe_parallel_size): the model is this rank's
//   stage (pipeline_partition.h) and a step runs the 1F1B schedule (pipeline_schedule.h) over
//   the GAS micro-batches; every stage passes the same rows; the loss comes from the last stage;
//   tied embeddings' gradients are summed between the first and last stage before the update;
//   data-parallel buckets are then reduced after the schedule. Under ZeRO 1/2 a rank holds its pieces of the
//   moments only: get_tensor of a moment is then a collective over dp (every dp rank calls it for
//   the same names in the same order) returning the whole moment; set_tensor of a moment keeps
//   this rank's pieces. gradient(name) is refused under ZeRO 2. eval_loss is the mean over the
//   data-parallel ranks of each rank's own micro-batch (a dp collective); logits stay per rank.
//
// Every call first sets the engine's thread count (BLAS and parallel_for obey it) and checks its
// input, naming the call, the value and the fix; nothing is modified when a check fails.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/data_parallel.h"
#include "model/gpt_model.h"
#include "model/model_config.h"
#include "model/optimizer.h"
#include "model/parallel_context.h"
#include "model/pipeline_schedule.h"

namespace neox::model {

struct StepTimings {
  double forward_ms = 0, backward_ms = 0, optimizer_ms = 0, total_ms = 0;
  // Data parallelism: time the compute thread spent reducing gradients after backward (with
  // overlap_comm, only the wait for buckets still in flight). Part of optimizer_ms.
  double gradient_sync_ms = 0;
};

struct StepResult {
  double loss = 0;             // mean over micro-batches of their token-mean loss
  double grad_norm = 0;        // global norm before clipping
  bool skipped = false;
  std::string non_finite;      // first tensor that went non-finite ("" when none)
  int64_t step = 0;            // the caller's step number, echoed
  StepTimings timings;
};

enum class TensorKind { parameter, exp_avg, exp_avg_sq };

struct TensorInfo {
  std::string name;
  std::vector<int64_t> shape;         // what this rank holds (get_tensor's elements)
  TensorKind kind;
  bool decay;
  std::vector<int64_t> global_shape;  // the whole tensor (= shape without tensor parallelism)
  std::vector<TensorBox> boxes;       // the global slices `shape` is made of, along dim 0 (param_layout.h)
  bool tp_replicated;                 // every tensor-parallel rank holds it whole
  bool pipe_tied_copy;                // the last pipeline stage's copy of tied word embeddings
};

class Trainer {
 public:
  // threads: 0 = all cores. seed: initialization and dropout. parallel: null = one process.
  Trainer(const ModelConfig& model, const TrainingConfig& training, uint64_t seed, int threads,
          std::shared_ptr<ParallelContext> parallel = nullptr);

  StepResult train_step(const int32_t* tokens, int64_t token_count, const float* loss_mask, int64_t mask_count,
                        double lr, int64_t step);
  double eval_loss(const int32_t* tokens, int64_t token_count);
  // out holds batch·seq_len·V floats. check_logits_input refuses what logits would refuse, so a
  // caller can validate before allocating the output.
  void check_logits_input(const int32_t* inputs, int64_t input_count, int64_t batch, int64_t seq_len) const;
  void logits(float* out, const int32_t* inputs, int64_t input_count, int64_t batch, int64_t seq_len);

  std::vector<TensorInfo> tensor_info() const;
  // Elements of the tensor called `name` (a parameter or a moment); throws when unknown.
  int64_t tensor_elements(const std::string& name, const char* call) const;
  void get_tensor(const std::string& name, float* out, int64_t count) const;
  void set_tensor(const std::string& name, const float* data, int64_t count);
  void get_gradient(const std::string& name, float* out, int64_t count) const;

  int64_t optimizer_step() const { return optimizer_.step_count(); }
  void set_optimizer_step(int64_t step) { optimizer_.set_step_count(step); }
  int threads() const { return threads_; }
  const ParallelContext& parallel() const { return *parallel_; }
  // The whole model's config (model().config() is this rank's tensor-parallel shard).
  const ModelConfig& model_config() const { return model_config_; }
  const TrainingConfig& training_config() const { return training_; }
  // The model, for readers of its parameters (cached decoding, model/decoder.h). Only a whole
  // model can be read this way: throws under tensor or pipeline parallelism, whose ranks hold a
  // shard (see stage_config()).
  const GptModel<float>& model() const;
  // This rank's part of the model: its tensor-parallel shard and pipeline stage.
  const ModelConfig& stage_config() const { return model_.config(); }
  int64_t bytes() const;

 private:
  struct Located {
    TensorKind kind;
    const TensorSpec* spec;
  };
  Located locate(const std::string& name, const char* call) const;
  bool sharded_moment(const Located& at) const;
  float* data_of(TensorKind kind);
  const float* data_of(TensorKind kind) const;
  void use_threads() const;
  void check_tokens(const char* call, const int32_t* tokens, int64_t count) const;
  // Loss mean, norm, non-finite check and update after the micro-batches (every rank alike).
  void finish_step(StepResult& result, double local_loss, double lr);
  // The micro-batches of one step through the 1F1B pipeline; returns this stage's loss sum.
  double run_pipeline(StepResult& result, const int32_t* tokens, const float* loss_mask, int64_t step);
  // Σ over the groups holding disjoint parts of the gradients (ZeRO dp shards, tp, pp), rank order.
  double sum_over_gradient_holders(double local);
  // The smallest tensor index ≥ 0 over those groups (−1 when none).
  int64_t lowest_over_gradient_holders(int64_t local);

  std::shared_ptr<ParallelContext> parallel_;
  ModelConfig model_config_;
  GptModel<float> model_;
  TrainingConfig training_;
  DataParallelGradients data_parallel_;
  AdamWOptimizer optimizer_;
  std::unique_ptr<PipelineSchedule> pipeline_;          // pipe_parallel_size > 1
  std::unique_ptr<comm::Communicator> tied_embeddings_;  // first and last stage, tied embeddings
  uint64_t seed_;
  int threads_;
};

}  // namespace neox::model
