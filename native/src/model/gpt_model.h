// The GPT-NeoX model (reference §1.2): embedding (+ learned positions) → dropout → L blocks
// (transformer_layer.h) → final norm → output layer fused with the cross-entropy loss
// (cross_entropy.h; tied to the word embedding unless no_weight_tying).
//
// The model owns its flat parameter and gradient buffers (param_layout.h; gradients from the first
// training call on), the rotary tables and
// its workspaces (workspace.h): one for training and one for forward-only calls, each allocated
// when its (B, T) shape is first seen and reused afterwards. A forward-only call at the training
// shape reuses the training workspace.
//
// Tokens are rows of T + 1 ids: a row's first T ids are the inputs, its last T the targets.
// loss_mask (rows = B·T weights, or null = all 1) weights each target (GPT-NeoX's loss mask);
// a micro-batch's loss is the weighted token mean (reference §1.6).
//
// Templated on the scalar: float for training, double for the finite-difference tests.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>

#include "comm/communicator.h"
#include "model/buffer.h"
#include "model/model_config.h"
#include "model/param_layout.h"
#include "model/transformer_layer.h"
#include "model/workspace.h"

namespace neox::model {

// Wall time of the phases of the last call (seconds).
struct PhaseTimes {
  double forward = 0;   // embedding, blocks, final norm, output layer + loss (and its gradient)
  double backward = 0;  // everything below the loss
};

template <typename T>
class GptModel {
 public:
  explicit GptModel(const ModelConfig& config);

  const ModelConfig& config() const { return config_; }
  const ParamLayout& layout() const { return layout_; }
  T* params() { return params_.data(); }
  const T* params() const { return params_.data(); }
  // Gradients are allocated by the first call that writes them (a training call), so a model
  // used only for inference holds its parameters and workspaces alone. The const form is null
  // until then.
  T* grads();
  const T* grads() const { return grads_.data(); }
  int64_t param_elements() const { return layout_.total_elements(); }
  void initialize(uint64_t seed);
  void zero_grads();

  // One micro-batch forward and backward; parameter gradients ADD (+=) loss_grad_scale ·
  // ∂loss/∂θ (loss_grad_scale = 1/gradient_accumulation_steps). dropout_counter must be distinct
  // per micro-batch and step (layer dropout keys, transformer_layer.h). Returns the loss.
  double train_micro_batch(const int32_t* tokens, const float* loss_mask, int64_t batch, int64_t seq_len,
                           double loss_grad_scale, uint64_t dropout_seed, uint64_t dropout_counter);
  // The loss without dropout or gradients.
  double eval_loss(const int32_t* tokens, const float* loss_mask, int64_t batch, int64_t seq_len);

  // ---- pipeline stages (config first_layer/layer_count/first_stage/last_stage) ------------------
  // One micro-batch through this stage in its own training workspace (1F1B keeps several in
  // flight): input_hidden (rows, C) is the previous stage's output (ignored on the first stage);
  // the output for the next stage is stage_output(ws). On the last stage the loss is returned and
  // its output-layer gradient already added; elsewhere 0.
  double stage_forward(Workspace<T>& ws, const int32_t* tokens, const float* loss_mask, const T* input_hidden,
                       double loss_grad_scale, uint64_t dropout_seed, uint64_t dropout_counter);
  // Backward of the micro-batch in `ws`: output_grad (rows, C) from the next stage (ignored on the
  // last stage); the gradient for the previous stage is stage_input_grad(ws).
  void stage_backward(Workspace<T>& ws, const T* output_grad, uint64_t dropout_seed, uint64_t dropout_counter);
  T* stage_output(Workspace<T>& ws) const { return ws.residual(config_.stage_layers()); }
  const T* stage_input_grad(const Workspace<T>& ws) const { return ws.grad.d_resid; }
  std::unique_ptr<Workspace<T>> make_training_workspace(int64_t batch, int64_t seq_len) const;
  // Forward-only through this stage (no dropout): the loss on the last stage (else 0); *output
  // (when given) points at the stage's output rows (valid until the next forward-only call).
  double stage_eval(const int32_t* tokens, const float* loss_mask, const T* input_hidden, int64_t batch,
                    int64_t seq_len, const T** output);
  // Logits (batch·seq_len, V) of input ids (batch, seq_len) into `out`.
  void logits(T* out, const int32_t* inputs, int64_t batch, int64_t seq_len);

  // Called during train_micro_batch's backward each time every parameter gradient at flat
  // offset >= `offset` has its final value for this micro-batch (offsets descending, the last
  // call 0); data parallelism starts reducing those gradients meanwhile. Null = no calls.
  using GradientsFinal = std::function<void(int64_t offset)>;
  // Tensor parallelism: the config is this rank's shard (ModelConfig::tensor_parallel_shard) and
  // `group` its tensor-parallel communicator (vocab_parallel.h, tensor_parallel.h); null = none.
  void set_tensor_parallel(comm::Communicator* group) { tp_ = group; }
  void set_gradients_final_hook(GradientsFinal hook) { gradients_final_ = std::move(hook); }

  const PhaseTimes& last_times() const { return times_; }
  // Bytes of parameters, gradients and workspaces held now.
  int64_t bytes() const;

  // Rows of the output layer's loss chunk (cross_entropy.h): logits exist for this many rows at a time.
  static constexpr int64_t kLossChunkRows = 256;

 private:
  Workspace<T>& workspace(int64_t batch, int64_t seq_len, bool training);
  void load_tokens(Workspace<T>& ws, const int32_t* tokens, const float* loss_mask);
  // Embedding (first stage; else input_hidden) → this stage's blocks → final norm into
  // ws.final_out (last stage). Training keeps the activations for backward.
  void forward_to_final_norm(Workspace<T>& ws, bool training, const T* input_hidden, uint64_t dropout_seed,
                             uint64_t dropout_counter);
  // From ws.grad.d_final (last stage; else output_grad) down to the embedding (first stage).
  void backward_from_final_norm(Workspace<T>& ws, const T* output_grad, uint64_t dropout_seed,
                                uint64_t dropout_counter);
  void embed(Workspace<T>& ws, const LayerContext<T>& ctx);
  void embed_backward(Workspace<T>& ws, const LayerContext<T>& ctx);
  // The output layer and loss on ws.final_out (training: gradients added, scaled).
  double output_loss(Workspace<T>& ws, bool training, double loss_grad_scale);

  ModelConfig config_;
  ParamLayout layout_;
  Buffer<T> params_, grads_;
  Buffer<T> rotary_cos_, rotary_sin_;
  int64_t rotary_dims_ = 0;
  std::unique_ptr<Workspace<T>> train_workspace_, inference_workspace_;
  PhaseTimes times_;
  GradientsFinal gradients_final_;
  comm::Communicator* tp_ = nullptr;
};

}  // namespace neox::model
