#include "model/gpt_model.h"

#include <chrono>

#include "core/errors.h"
#include "cpu/bias_dropout_residual.h"
#include "cpu/cross_entropy.h"
#include "cpu/embedding.h"
#include "cpu/rotary.h"
#include "model/norm.h"
#include "model/op_profile.h"
#include "model/param_init.h"
#include "model/tensor_parallel.h"
#include "model/transformer_layer.h"
#include "model/vocab_parallel.h"
#include "model/zero_fill.h"

namespace neox::model {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

constexpr int64_t kEmbeddingDropoutSite = 0;

}  // namespace

template <typename T>
GptModel<T>::GptModel(const ModelConfig& config) : config_(config), layout_(config) {
  params_.reset(layout_.total_elements());
  if (config_.pos_emb == PositionKind::rotary) {
    rotary_dims_ = cpu::rotary_dims(config_.head_size(), config_.rotary_pct);
    const int64_t positions = config_.position_count();
    rotary_cos_.reset(positions * rotary_dims_ / 2);
    rotary_sin_.reset(positions * rotary_dims_ / 2);
    cpu::rotary_tables(rotary_cos_.data(), rotary_sin_.data(), positions, rotary_dims_, config_.rotary_base);
  }
}

template <typename T>
void GptModel<T>::initialize(uint64_t seed) {
  initialize_parameters(params_.data(), layout_, config_, seed);
}

template <typename T>
T* GptModel<T>::grads() {
  if (grads_.size() == 0) grads_.reset(layout_.total_elements());
  return grads_.data();
}

template <typename T>
void GptModel<T>::zero_grads() {
  T* g = grads();
  timed("zero param grads", [&] { zero_fill(g, grads_.size()); });
}

template <typename T>
int64_t GptModel<T>::bytes() const {
  int64_t total = (params_.size() + grads_.size() + rotary_cos_.size() + rotary_sin_.size()) * int64_t(sizeof(T));
  if (train_workspace_) total += train_workspace_->bytes();
  if (inference_workspace_) total += inference_workspace_->bytes();
  return total;
}

template <typename T>
Workspace<T>& GptModel<T>::workspace(int64_t batch, int64_t seq_len, bool training) {
  const bool fits_learned = config_.pos_emb != PositionKind::learned ||
                            seq_len + config_.position_offset <= config_.max_position_embeddings;
  NEOX_CHECK_ARG(seq_len <= config_.position_count() && fits_learned,
                 "sequence length " << seq_len << " exceeds the model's positions (max_position_embeddings "
                 << config_.max_position_embeddings << ", seq_length " << config_.seq_length << "); shorten the input");
  if (!training && train_workspace_ && train_workspace_->matches(batch, seq_len, WorkspaceMode::training)) {
    return *train_workspace_;
  }
  auto& slot = training ? train_workspace_ : inference_workspace_;
  const WorkspaceMode mode = training ? WorkspaceMode::training : WorkspaceMode::inference;
  if (!slot || !slot->matches(batch, seq_len, mode)) {
    slot.reset();  // free the old shape before allocating the new one
    slot = std::make_unique<Workspace<T>>(config_, batch, seq_len, mode, kLossChunkRows);
  }
  return *slot;
}

template <typename T>
void GptModel<T>::load_tokens(Workspace<T>& ws, const int32_t* tokens, const float* loss_mask) {
  const int64_t B = ws.batch(), S = ws.seq_len();
  for (int64_t b = 0; b < B; ++b) {
    const int32_t* row = tokens + b * (S + 1);
    for (int64_t t = 0; t < S; ++t) {
      ws.inputs[b * S + t] = row[t];
      ws.targets[b * S + t] = row[t + 1];
      ws.loss_weights[b * S + t] = loss_mask ? T(loss_mask[b * S + t]) : T(1);
    }
  }
}

template <typename T>
void GptModel<T>::forward_to_final_norm(Workspace<T>& ws, bool training, const T* input_hidden, uint64_t dropout_seed,
                                        uint64_t dropout_counter) {
  const ModelConfig& c = config_;
  const int64_t rows = ws.rows(), C = c.hidden_size, L = c.stage_layers();
  T* p = params_.data();
  T* x0 = ws.residual(0);
  const LayerContext<T> ctx{&config_, ws.batch(), ws.seq_len(), rotary_cos_.data(), rotary_sin_.data(),
                            c.position_count(), rotary_dims_, training, dropout_seed, dropout_counter, tp_};
  if (c.first_stage) {
    embed(ws, ctx);
  } else {
    std::copy(input_hidden, input_hidden + rows * C, x0);
  }
  for (int64_t l = 0; l < L; ++l) {
    layer_forward(ctx, c.first_layer + l, layout_.layer(p, l), ws.layer(l), ws.residual(l), ws.residual(l + 1),
                  ws.branch_out);
  }
  if (!c.last_stage) return;
  timed("norm fwd", [&] {
    norm_forward(c.norm, ws.final_out, ws.final_mean, ws.final_rstd, ws.residual(L), p + layout_.final_norm_weight(),
        ParamLayout::at(p, layout_.final_norm_bias()), rows, C, c.norm_eps);
  });
}

template <typename T>
void GptModel<T>::embed(Workspace<T>& ws, const LayerContext<T>& ctx) {
  const ModelConfig& c = config_;
  const int64_t rows = ws.rows(), C = c.hidden_size;
  T* p = params_.data();
  T* x0 = ws.residual(0);
  if (tp_ != nullptr) {
    timed("embedding fwd", [&] {
      vocab_shard_embedding_forward(x0, ws.inputs, p + layout_.word_embeddings(), rows, C, c.vocab_begin(), c.vocab_size);
    });
    tensor_parallel_sum(tp_, x0, rows * C);
  } else {
    timed("embedding fwd", [&] {
      cpu::embedding_forward(x0, ws.inputs, p + layout_.word_embeddings(), rows, C, c.vocab_size, false);
    });
  }
  if (c.pos_emb == PositionKind::learned) {
    timed("embedding fwd", [&] {
      cpu::embedding_forward(x0, ws.positions, p + layout_.position_embeddings(), rows, C, c.max_position_embeddings,
          true);
    });
  }
  const cpu::DropoutSpec embedding_dropout = ctx.dropout(kEmbeddingDropoutSite, c.hidden_dropout);
  if (embedding_dropout.probability > 0) {
    cpu::bias_dropout_residual_forward<T>(x0, x0, nullptr, nullptr, rows, C, embedding_dropout);
  }
}

template <typename T>
void GptModel<T>::backward_from_final_norm(Workspace<T>& ws, const T* output_grad, uint64_t dropout_seed,
                                           uint64_t dropout_counter) {
  const ModelConfig& c = config_;
  const int64_t rows = ws.rows(), C = c.hidden_size, L = c.stage_layers();
  T* p = params_.data();
  T* g = grads();
  const GradientScratch<T>& s = ws.grad;
  if (c.last_stage) {
    timed("zero activation grads", [&] { zero_fill(s.d_resid, rows * C); });
    timed("norm bwd", [&] {
      norm_backward(c.norm, s.d_resid, g + layout_.final_norm_weight(), ParamLayout::at(g, layout_.final_norm_bias()),
          s.d_final, ws.residual(L), p + layout_.final_norm_weight(), ws.final_mean, ws.final_rstd, rows, C);
    });
    if (gradients_final_) gradients_final_(layout_.final_norm_weight());
  } else {
    std::copy(output_grad, output_grad + rows * C, s.d_resid);
  }
  const LayerContext<T> ctx{&config_, ws.batch(), ws.seq_len(), rotary_cos_.data(), rotary_sin_.data(),
                            c.position_count(), rotary_dims_, true, dropout_seed, dropout_counter, tp_};
  for (int64_t l = L - 1; l >= 0; --l) {
    if (c.checkpoint_activations) {
      // Recompute this block from its stored input; its output buffer is no longer read, and the
      // recomputation writes the same values there.
      layer_forward(ctx, c.first_layer + l, layout_.layer(p, l), ws.layer(l), ws.residual(l), ws.residual(l + 1),
                    ws.branch_out);
    }
    layer_backward(ctx, c.first_layer + l, layout_.layer(p, l), layout_.layer(g, l), ws.layer(l), ws.residual(l), s);
    if (gradients_final_) gradients_final_(layout_.layer_begin(l));
  }
  if (c.first_stage) embed_backward(ws, ctx);
  if (gradients_final_) gradients_final_(0);
}

template <typename T>
void GptModel<T>::embed_backward(Workspace<T>& ws, const LayerContext<T>& ctx) {
  const ModelConfig& c = config_;
  const int64_t rows = ws.rows(), C = c.hidden_size;
  T* g = grads();
  const GradientScratch<T>& s = ws.grad;
  const cpu::DropoutSpec embedding_dropout = ctx.dropout(kEmbeddingDropoutSite, c.hidden_dropout);
  const T* d_embed = s.d_resid;
  if (embedding_dropout.probability > 0) {
    zero_fill(s.d_branch, rows * C);
    cpu::bias_dropout_residual_backward<T>(s.d_branch, nullptr, nullptr, s.d_resid, rows, C, embedding_dropout);
    d_embed = s.d_branch;
  }
  timed("embedding bwd", [&] {
    if (tp_ != nullptr) {
      vocab_shard_embedding_backward(g + layout_.word_embeddings(), d_embed, ws.inputs, rows, C, c.vocab_begin(),
                                     c.vocab_size);
    } else {
      cpu::embedding_backward(g + layout_.word_embeddings(), d_embed, ws.inputs, rows, C, c.vocab_size);
    }
  });
  if (c.pos_emb == PositionKind::learned) {
    timed("embedding bwd", [&] {
      cpu::embedding_backward(g + layout_.position_embeddings(), d_embed, ws.positions, rows, C,
          c.max_position_embeddings);
    });
  }
}

template <typename T>
double GptModel<T>::stage_forward(Workspace<T>& ws, const int32_t* tokens, const float* loss_mask,
                                  const T* input_hidden, double loss_grad_scale, uint64_t dropout_seed,
                                  uint64_t dropout_counter) {
  load_tokens(ws, tokens, loss_mask);
  forward_to_final_norm(ws, true, input_hidden, dropout_seed, dropout_counter);
  if (!config_.last_stage) return 0;
  const int64_t rows = ws.rows(), C = config_.hidden_size;
  timed("zero activation grads", [&] { zero_fill(ws.grad.d_final, rows * C); });
  return output_loss(ws, true, loss_grad_scale);
}

template <typename T>
void GptModel<T>::stage_backward(Workspace<T>& ws, const T* output_grad, uint64_t dropout_seed,
                                 uint64_t dropout_counter) {
  backward_from_final_norm(ws, output_grad, dropout_seed, dropout_counter);
}

template <typename T>
double GptModel<T>::output_loss(Workspace<T>& ws, bool training, double loss_grad_scale) {
  const int64_t rows = ws.rows(), C = config_.hidden_size;
  T* dx = training ? ws.grad.d_final : nullptr;
  T* dweight = training ? grads() + layout_.output_weight() : nullptr;
  const T* weight = params_.data() + layout_.output_weight();
  cpu::CrossEntropyResult loss;
  if (tp_ != nullptr) {
    loss = vocab_parallel_cross_entropy(tp_, training, dx, dweight, ws.final_out, weight, ws.targets, ws.loss_weights,
        rows, C, config_.vocab_begin(), config_.vocab_size, loss_grad_scale, ws.loss_scratch, ws.loss_chunk_rows);
  } else if (training) {
    timed("output layer + loss fwd+bwd", [&] {
      loss = cpu::cross_entropy_forward_backward(dx, dweight, static_cast<T*>(nullptr), ws.final_out, weight,
          ws.targets, ws.loss_weights, rows, C, config_.vocab_size, loss_grad_scale, ws.loss_scratch,
          ws.loss_chunk_rows);
    });
  } else {
    loss = cpu::cross_entropy_forward(static_cast<T*>(nullptr), ws.final_out, weight, ws.targets, ws.loss_weights,
        rows, C, config_.vocab_size, ws.loss_scratch, ws.loss_chunk_rows);
  }
  return loss.mean_loss;
}

template <typename T>
std::unique_ptr<Workspace<T>> GptModel<T>::make_training_workspace(int64_t batch, int64_t seq_len) const {
  return std::make_unique<Workspace<T>>(config_, batch, seq_len, WorkspaceMode::training, kLossChunkRows);
}

template <typename T>
double GptModel<T>::train_micro_batch(const int32_t* tokens, const float* loss_mask, int64_t batch, int64_t seq_len,
                                      double loss_grad_scale, uint64_t dropout_seed, uint64_t dropout_counter) {
  NEOX_CHECK_ARG(config_.first_stage && config_.last_stage, "train_micro_batch runs the whole model; a pipeline "
                 "stage runs stage_forward/stage_backward (pipeline_schedule.h)");
  const auto start = Clock::now();
  Workspace<T>& ws = workspace(batch, seq_len, true);
  const double loss = stage_forward(ws, tokens, loss_mask, nullptr, loss_grad_scale, dropout_seed, dropout_counter);
  times_.forward = seconds_since(start);
  const auto backward_start = Clock::now();
  stage_backward(ws, nullptr, dropout_seed, dropout_counter);
  times_.backward = seconds_since(backward_start);
  return loss;
}

template <typename T>
double GptModel<T>::stage_eval(const int32_t* tokens, const float* loss_mask, const T* input_hidden, int64_t batch,
                               int64_t seq_len, const T** output) {
  const auto start = Clock::now();
  Workspace<T>& ws = workspace(batch, seq_len, false);
  load_tokens(ws, tokens, loss_mask);
  forward_to_final_norm(ws, false, input_hidden, 0, 0);
  if (output != nullptr) *output = ws.residual(config_.stage_layers());
  const double loss = config_.last_stage ? output_loss(ws, false, 0.0) : 0.0;
  times_ = {seconds_since(start), 0};
  return loss;
}

template <typename T>
double GptModel<T>::eval_loss(const int32_t* tokens, const float* loss_mask, int64_t batch, int64_t seq_len) {
  return stage_eval(tokens, loss_mask, nullptr, batch, seq_len, nullptr);
}

template <typename T>
void GptModel<T>::logits(T* out, const int32_t* inputs, int64_t batch, int64_t seq_len) {
  const auto start = Clock::now();
  Workspace<T>& ws = workspace(batch, seq_len, false);
  NEOX_CHECK_ARG(config_.first_stage && config_.last_stage, "logits: a pipeline stage holds only part of the model; "
                 "load the checkpoint into an engine with pipe_parallel_size 0 or 1");
  for (int64_t i = 0; i < ws.rows(); ++i) ws.inputs[i] = inputs[i];
  forward_to_final_norm(ws, false, nullptr, 0, 0);
  if (tp_ != nullptr) {
    vocab_parallel_logits(tp_, out, ws.final_out, params_.data() + layout_.output_weight(), ws.rows(),
                          config_.hidden_size, config_.vocab_size);
  } else {
    cpu::classifier_logits(out, ws.final_out, params_.data() + layout_.output_weight(), ws.rows(),
                           config_.hidden_size, config_.vocab_size);
  }
  times_ = {seconds_since(start), 0};
}

template class GptModel<float>;
template class GptModel<double>;

}  // namespace neox::model
