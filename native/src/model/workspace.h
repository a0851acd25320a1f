// Every activation and activation-gradient buffer of one (B, T) shape, carved from one arena
// allocated once when the shape is first seen and reused by every later step of that shape
// (performance-notes: re-allocating big buffers each step costs page faults). rows = B·T.
//
// Training mode keeps the residual stream at every layer boundary (L + 1 buffers (rows, C): the
// layer inputs, then the last layer's output) and the per-layer activations the backward reads —
// one set per layer, or a single shared set with activation checkpointing (the backward then
// recomputes each layer from its stored input). Inference mode (eval, logits) keeps one layer set
// and two residual buffers used in turn, and no gradient buffers.
#pragma once

#include <cstdint>
#include <vector>

#include "model/buffer.h"
#include "model/model_config.h"

namespace neox::model {

enum class WorkspaceMode { training, inference };

// What one block's forward stores for its backward (shapes with rows = B·T).
template <typename T>
struct LayerActivations {
  T* ln1_out;   // (rows, C)
  T* ln1_mean;  // (rows)  LayerNorm only
  T* ln1_rstd;  // (rows)
  T* qkv;       // (rows, (NH+2·NKV)·HS), after rotary
  T* attn_out;  // (rows, C)  attention output, the dense layer's input
  T* lse;       // (B, NH, T)
  T* mid;       // (rows, C)  sequential residual only: x + attention branch (the second norm's input)
  T* ln2_out;   // (rows, C)
  T* ln2_mean;  // (rows)
  T* ln2_rstd;  // (rows)
  T* fc1_out;   // (rows, F1)  MLP first linear output (activation input)
  T* act_out;   // (rows, F2)  activation output (second linear input)
};

// Gradient scratch shared by all layers (training mode only).
template <typename T>
struct GradientScratch {
  T* d_resid;     // (rows, C) gradient of the residual stream
  T* d_branch;    // (rows, C) a branch output's gradient after dropout (hidden_dropout > 0)
  T* d_attn_out;  // (rows, C)
  T* d_qkv;       // (rows, Wqkv)
  T* d_ln1_out;   // (rows, C)
  T* d_ln2_out;   // (rows, C)
  T* d_act;       // (rows, F2)
  T* d_fc1;       // (rows, F1)
  T* d_final;     // (rows, C) gradient of the final norm's output
};

template <typename T>
class Workspace {
 public:
  Workspace(const ModelConfig& config, int64_t batch, int64_t seq_len, WorkspaceMode mode, int64_t loss_chunk_rows);

  int64_t batch() const { return batch_; }
  int64_t seq_len() const { return seq_len_; }
  int64_t rows() const { return batch_ * seq_len_; }
  WorkspaceMode mode() const { return mode_; }
  bool matches(int64_t batch, int64_t seq_len, WorkspaceMode mode) const {
    return batch == batch_ && seq_len == seq_len_ && mode == mode_;
  }
  // Bytes held (activations, scratch, token buffers).
  int64_t bytes() const;

  // Layer l's stored activations (the shared set when checkpointing or in inference mode).
  LayerActivations<T>& layer(int64_t l) { return layers_[layers_.size() == 1 ? 0 : size_t(l)]; }
  // Input of layer l (l = L: the last layer's output).
  T* residual(int64_t l) { return residuals_[residuals_.size() == 2 ? size_t(l % 2) : size_t(l)]; }

  T* branch_out;   // (rows, C) a branch's output before bias, dropout and residual
  T* final_out;    // (rows, C) final norm output
  T* final_mean;   // (rows)
  T* final_rstd;   // (rows)
  T* loss_weights; // (rows) loss mask as T
  T* loss_scratch; // cross_entropy_scratch_elems(loss_chunk_rows, V)
  int64_t loss_chunk_rows;
  int32_t* inputs;     // (rows) token ids
  int32_t* targets;    // (rows) next-token ids
  int32_t* positions;  // (rows) t + opt_pos_emb_offset (learned positions)
  GradientScratch<T> grad{};

 private:
  int64_t batch_, seq_len_;
  WorkspaceMode mode_;
  std::vector<LayerActivations<T>> layers_;
  std::vector<T*> residuals_;
  Buffer<T> arena_;
  Buffer<int32_t> ids_;
};

}  // namespace neox::model
