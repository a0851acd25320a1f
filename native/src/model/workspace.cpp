#include "model/workspace.h"

#include "core/errors.h"
#include "cpu/cross_entropy.h"

namespace neox::model {

namespace {

// Hands out consecutive 64-byte-aligned slices of an arena. Run once with base = null to size the
// arena, then again over the allocated arena to assign the pointers.
template <typename T>
struct Carver {
  T* base = nullptr;
  int64_t used = 0;
  T* take(int64_t n) {
    T* p = base ? base + used : nullptr;
    used += (n + 15) / 16 * 16;
    return p;
  }
};

}  // namespace

template <typename T>
Workspace<T>::Workspace(const ModelConfig& config, int64_t batch, int64_t seq_len, WorkspaceMode mode,
                        int64_t loss_chunk_rows_)
    : loss_chunk_rows(loss_chunk_rows_), batch_(batch), seq_len_(seq_len), mode_(mode) {
  NEOX_CHECK_ARG(batch > 0 && seq_len > 0, "workspace shape B=" << batch << " T=" << seq_len << " must be positive");
  const int64_t rows = batch * seq_len, C = config.hidden_size, L = config.stage_layers();
  const bool training = mode == WorkspaceMode::training;
  const bool layernorm = config.norm == NormKind::layernorm;
  const int64_t layer_sets = training && !config.checkpoint_activations ? L : 1;
  const int64_t residual_count = training ? L + 1 : 2;
  const int64_t F1 = config.mlp_linear1_width, F2 = config.mlp_hidden_width(), W = config.qkv_width();
  const int64_t loss_scratch_elems = cpu::cross_entropy_scratch_elems(loss_chunk_rows, config.vocab_size);

  auto plan = [&](Carver<T>& take) {
    layers_.assign(size_t(layer_sets), LayerActivations<T>{});
    for (LayerActivations<T>& a : layers_) {
      a.ln1_out = take.take(rows * C);
      a.ln1_mean = layernorm ? take.take(rows) : nullptr;
      a.ln1_rstd = take.take(rows);
      a.qkv = take.take(rows * W);
      a.attn_out = take.take(rows * config.attention_width());
      a.lse = take.take(batch * config.num_heads * seq_len);
      a.mid = config.parallel_residual ? nullptr : take.take(rows * C);
      a.ln2_out = take.take(rows * C);
      a.ln2_mean = layernorm ? take.take(rows) : nullptr;
      a.ln2_rstd = take.take(rows);
      a.fc1_out = take.take(rows * F1);
      a.act_out = take.take(rows * F2);
    }
    residuals_.assign(size_t(residual_count), nullptr);
    for (T*& r : residuals_) r = take.take(rows * C);
    branch_out = take.take(rows * C);
    final_out = take.take(rows * C);
    final_mean = layernorm ? take.take(rows) : nullptr;
    final_rstd = take.take(rows);
    loss_weights = take.take(rows);
    loss_scratch = take.take(loss_scratch_elems);
    if (training) {
      grad.d_resid = take.take(rows * C);
      grad.d_branch = config.hidden_dropout > 0 ? take.take(rows * C) : nullptr;
      grad.d_attn_out = take.take(rows * config.attention_width());
      grad.d_qkv = take.take(rows * W);
      grad.d_ln1_out = take.take(rows * C);
      grad.d_ln2_out = take.take(rows * C);
      grad.d_act = take.take(rows * F2);
      grad.d_fc1 = take.take(rows * F1);
      grad.d_final = take.take(rows * C);
    }
  };
  Carver<T> sizing;
  plan(sizing);
  arena_.reset(sizing.used);
  Carver<T> assign{arena_.data(), 0};
  plan(assign);

  ids_.reset(3 * rows);
  inputs = ids_.data();
  targets = inputs + rows;
  positions = targets + rows;
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t t = 0; t < seq_len; ++t) positions[b * seq_len + t] = int32_t(t + config.position_offset);
  }
}

template <typename T>
int64_t Workspace<T>::bytes() const {
  return arena_.size() * int64_t(sizeof(T)) + ids_.size() * int64_t(sizeof(int32_t));
}

template class Workspace<float>;
template class Workspace<double>;

}  // namespace neox::model
