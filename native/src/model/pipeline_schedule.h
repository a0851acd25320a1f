// The 1F1B pipeline schedule (PipeDream-flush, as Megatron-LM and DeepSpeed run it) over one
// step's gradient-accumulation micro-batches, for the stage this rank holds (gpt_model.h stage
// calls). With P stages and m micro-batches, stage s first runs min(P − s − 1, m) forwards, then
// alternates one forward and one backward, then drains the remaining backwards. Activations go
// to the next stage and gradients back through the pipeline communicator; the combined
// exchanges (send the output while receiving a gradient, send a gradient while receiving the
// next input) use send_recv so that neighbours never wait on each other's sends. Each in-flight
// micro-batch keeps its activations in its own workspace: min(P − s, m) of them on stage s.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "comm/communicator.h"
#include "model/buffer.h"
#include "model/gpt_model.h"

namespace neox::model {

class PipelineSchedule {
 public:
  // pp: the pipeline group (group rank = stage).
  PipelineSchedule(GptModel<float>& model, comm::Communicator* pp);

  // One step: tokens hold `micro_batches` micro-batches of `micro` rows of seq_len + 1 ids (every
  // stage gets the same rows), loss_mask one weight per target or null. dropout_counter(i) keys
  // micro-batch i. Returns Σ of the micro-batch losses on the last stage (0 on the others);
  // gradients are added into the model's buffer (scaled by loss_grad_scale).
  double train(const int32_t* tokens, const float* loss_mask, int64_t micro, int64_t seq_len, int64_t micro_batches,
               double loss_grad_scale, uint64_t dropout_seed, const std::function<uint64_t(int64_t)>& dropout_counter,
               double* forward_seconds, double* backward_seconds);
  // Forward-only through the pipeline for one micro-batch: the loss on the last stage (0 elsewhere).
  double eval(const int32_t* tokens, int64_t micro, int64_t seq_len);

 private:
  Workspace<float>& slot(int64_t micro_batch);
  void ensure(int64_t micro, int64_t seq_len, int64_t micro_batches);

  GptModel<float>& model_;
  comm::Communicator* pp_;
  int stage_, stages_;
  std::vector<std::unique_ptr<Workspace<float>>> pool_;
  Buffer<float> input_, output_grad_;  // (rows, C) receive buffers
};

}  // namespace neox::model
