#include "model/transformer_layer.h"

#include "cpu/attention.h"
#include "cpu/bias_dropout_residual.h"
#include "cpu/matmul.h"
#include "cpu/qkv_layout.h"
#include "cpu/rotary.h"
#include "model/mlp_activation.h"
#include "model/norm.h"
#include "model/op_profile.h"
#include "model/tensor_parallel.h"
#include "model/zero_fill.h"

namespace neox::model {

namespace {

int64_t attention_probs_site(int64_t layer) { return 1 + 3 * layer; }
int64_t attention_branch_site(int64_t layer) { return 2 + 3 * layer; }
int64_t mlp_branch_site(int64_t layer) { return 3 + 3 * layer; }

template <typename T>
cpu::QkvLayout qkv_layout(const LayerContext<T>& ctx) {
  const ModelConfig& c = *ctx.config;
  return cpu::QkvLayout::gpt_neox(ctx.batch, ctx.seq_len, c.num_heads, c.num_kv_heads, c.head_size());
}

template <typename T>
cpu::AttentionOptions attention_options(const LayerContext<T>& ctx, int64_t layer) {
  cpu::AttentionOptions options;
  options.sliding_window = ctx.config->sliding_window;
  options.dropout = ctx.dropout(attention_probs_site(layer), ctx.config->attention_dropout);
  // A tensor-parallel shard holds heads [tp_rank·num_heads, …) of num_heads·tp_size.
  options.dropout_first_head = ctx.config->tp_rank * ctx.config->num_heads;
  options.dropout_total_heads = ctx.config->num_heads * ctx.config->tp_size;
  return options;
}

// Gradient of a branch's output (before its bias, dropout and residual add) from the residual
// gradient d_resid; adds the bias gradient. Without dropout that gradient is d_resid itself.
template <typename T>
const T* branch_gradient(const LayerContext<T>& ctx, const GradientScratch<T>& s, T* dbias, int64_t site) {
  const cpu::DropoutSpec dropout = ctx.dropout(site, ctx.config->hidden_dropout);
  const int64_t rows = ctx.rows(), C = ctx.config->hidden_size;
  if (dropout.probability == 0) {
    if (dbias != nullptr) {
      timed("bias+dropout bwd", [&] {
        cpu::bias_dropout_residual_backward<T>(nullptr, dbias, nullptr, s.d_resid, rows, C, dropout);
      });
    }
    return s.d_resid;
  }
  timed("zero activation grads", [&] { zero_fill(s.d_branch, rows * C); });
  timed("bias+dropout bwd", [&] {
    cpu::bias_dropout_residual_backward<T>(s.d_branch, dbias, nullptr, s.d_resid, rows, C, dropout);
  });
  return s.d_branch;
}

// The attention branch up to its output projection: acts.attn_out = attention(rotary(N1(x)·Wqkvᵀ)).
template <typename T>
void attention_forward_part(const LayerContext<T>& ctx, int64_t layer, const LayerTensors<T>& w,
                            LayerActivations<T>& a, const T* x) {
  const ModelConfig& c = *ctx.config;
  const int64_t rows = ctx.rows(), C = c.hidden_size;
  timed("norm fwd", [&] {
    norm_forward(c.norm, a.ln1_out, a.ln1_mean, a.ln1_rstd, x, w.ln1_weight, w.ln1_bias, rows, C, c.norm_eps);
  });
  timed("qkv linear fwd", [&] {
    cpu::matmul_forward(a.qkv, a.ln1_out, w.qkv_weight, w.qkv_bias, rows, C, c.qkv_width());
  });
  const cpu::QkvLayout layout = qkv_layout(ctx);
  if (ctx.rotary_cos != nullptr) {
    timed("rotary fwd", [&] {
      cpu::rotary_forward(a.qkv, layout, ctx.rotary_cos, ctx.rotary_sin, ctx.rotary_positions, ctx.rotary_dims, 0);
    });
  }
  timed("attention fwd", [&] {
    cpu::attention_forward(a.attn_out, a.lse, a.qkv, layout, attention_options(ctx, layer));
  });
}

// The MLP branch up to its second linear's input: acts.act_out = act(N2(u)·W1ᵀ + b1).
template <typename T>
void mlp_forward_part(const LayerContext<T>& ctx, const LayerTensors<T>& w, LayerActivations<T>& a, const T* u) {
  const ModelConfig& c = *ctx.config;
  const int64_t rows = ctx.rows(), C = c.hidden_size;
  timed("norm fwd", [&] {
    norm_forward(c.norm, a.ln2_out, a.ln2_mean, a.ln2_rstd, u, w.ln2_weight, w.ln2_bias, rows, C, c.norm_eps);
  });
  timed("mlp linear1 fwd", [&] {
    cpu::matmul_forward(a.fc1_out, a.ln2_out, w.fc1_weight, w.fc1_bias, rows, C, c.mlp_linear1_width);
  });
  timed("activation fwd", [&] {
    mlp_activation_forward(c.activation, a.act_out, a.fc1_out, rows, c.mlp_hidden_width());
  });
}

// MLP backward from its output gradient down to ∂loss/∂N2-output in d_ln2_out (not yet through N2).
template <typename T>
void mlp_backward_part(const LayerContext<T>& ctx, int64_t layer, const LayerTensors<T>& w, const LayerTensors<T>& g,
                       const LayerActivations<T>& a, const GradientScratch<T>& s) {
  const ModelConfig& c = *ctx.config;
  const int64_t rows = ctx.rows(), C = c.hidden_size, F1 = c.mlp_linear1_width, F2 = c.mlp_hidden_width();
  const T* d_out = branch_gradient(ctx, s, g.fc2_bias, mlp_branch_site(layer));
  timed("zero activation grads", [&] { zero_fill(s.d_act, rows * F2); });
  timed("mlp linear2 bwd", [&] {
    cpu::matmul_backward<T>(s.d_act, g.fc2_weight, nullptr, d_out, a.act_out, w.fc2_weight, rows, F2, C);
  });
  timed("zero activation grads", [&] { zero_fill(s.d_fc1, rows * F1); });
  timed("activation bwd", [&] {
    mlp_activation_backward(c.activation, s.d_fc1, a.fc1_out, s.d_act, rows, F2);
  });
  timed("zero activation grads", [&] { zero_fill(s.d_ln2_out, rows * C); });
  timed("mlp linear1 bwd", [&] {
    cpu::matmul_backward<T>(s.d_ln2_out, g.fc1_weight, g.fc1_bias, s.d_fc1, a.ln2_out, w.fc1_weight, rows, C, F1);
  });
  tensor_parallel_sum(ctx.tp, s.d_ln2_out, rows * C);
}

// Attention backward from its output gradient down to ∂loss/∂N1-output in d_ln1_out.
template <typename T>
void attention_backward_part(const LayerContext<T>& ctx, int64_t layer, const LayerTensors<T>& w,
                             const LayerTensors<T>& g, const LayerActivations<T>& a, const GradientScratch<T>& s) {
  const ModelConfig& c = *ctx.config;
  const int64_t rows = ctx.rows(), C = c.hidden_size, W = c.qkv_width(), A = c.attention_width();
  const T* d_out = branch_gradient(ctx, s, g.dense_bias, attention_branch_site(layer));
  timed("zero activation grads", [&] { zero_fill(s.d_attn_out, rows * A); });
  timed("dense linear bwd", [&] {
    cpu::matmul_backward<T>(s.d_attn_out, g.dense_weight, nullptr, d_out, a.attn_out, w.dense_weight, rows, A, C);
  });
  const cpu::QkvLayout layout = qkv_layout(ctx);
  timed("zero activation grads", [&] { zero_fill(s.d_qkv, rows * W); });
  timed("attention bwd", [&] {
    cpu::attention_backward(s.d_qkv, s.d_attn_out, a.qkv, a.attn_out, a.lse, layout, attention_options(ctx, layer));
  });
  if (ctx.rotary_cos != nullptr) {
    timed("rotary bwd", [&] {
      cpu::rotary_backward(s.d_qkv, layout, ctx.rotary_cos, ctx.rotary_sin, ctx.rotary_positions, ctx.rotary_dims, 0);
    });
  }
  timed("zero activation grads", [&] { zero_fill(s.d_ln1_out, rows * C); });
  timed("qkv linear bwd", [&] {
    cpu::matmul_backward<T>(s.d_ln1_out, g.qkv_weight, g.qkv_bias, s.d_qkv, a.ln1_out, w.qkv_weight, rows, C, W);
  });
  tensor_parallel_sum(ctx.tp, s.d_ln1_out, rows * C);
}

}  // namespace

template <typename T>
void layer_forward(const LayerContext<T>& ctx, int64_t layer, const LayerTensors<T>& w, LayerActivations<T>& a,
                   const T* x_in, T* x_out, T* branch_out) {
  const ModelConfig& c = *ctx.config;
  const int64_t rows = ctx.rows(), C = c.hidden_size;
  attention_forward_part(ctx, layer, w, a, x_in);
  timed("dense linear fwd", [&] {
    cpu::matmul_forward<T>(branch_out, a.attn_out, w.dense_weight, nullptr, rows, c.attention_width(), C);
  });
  tensor_parallel_sum(ctx.tp, branch_out, rows * C);
  // Parallel: the attention branch goes straight into x_out and the MLP reads x_in; sequential:
  // it forms the middle residual m, which the MLP reads and adds onto.
  T* after_attention = c.parallel_residual ? x_out : a.mid;
  timed("bias+dropout+residual fwd", [&] {
    cpu::bias_dropout_residual_forward(after_attention, branch_out, w.dense_bias, x_in, rows, C,
        ctx.dropout(attention_branch_site(layer), c.hidden_dropout));
  });
  mlp_forward_part(ctx, w, a, c.parallel_residual ? x_in : a.mid);
  timed("mlp linear2 fwd", [&] {
    cpu::matmul_forward<T>(branch_out, a.act_out, w.fc2_weight, nullptr, rows, c.mlp_hidden_width(), C);
  });
  tensor_parallel_sum(ctx.tp, branch_out, rows * C);
  timed("bias+dropout+residual fwd", [&] {
    cpu::bias_dropout_residual_forward(x_out, branch_out, w.fc2_bias, after_attention, rows, C,
        ctx.dropout(mlp_branch_site(layer), c.hidden_dropout));
  });
}

template <typename T>
void layer_backward(const LayerContext<T>& ctx, int64_t layer, const LayerTensors<T>& w, const LayerTensors<T>& g,
                    const LayerActivations<T>& a, const T* x_in, const GradientScratch<T>& s) {
  const ModelConfig& c = *ctx.config;
  const int64_t rows = ctx.rows(), C = c.hidden_size;
  mlp_backward_part(ctx, layer, w, g, a, s);
  if (!c.parallel_residual) {
    // d_resid becomes ∂loss/∂m before the attention branch reads it.
    timed("norm bwd", [&] {
      norm_backward(c.norm, s.d_resid, g.ln2_weight, g.ln2_bias, s.d_ln2_out, a.mid, w.ln2_weight, a.ln2_mean,
          a.ln2_rstd, rows, C);
    });
  }
  attention_backward_part(ctx, layer, w, g, a, s);
  timed("norm bwd", [&] {
    norm_backward(c.norm, s.d_resid, g.ln1_weight, g.ln1_bias, s.d_ln1_out, x_in, w.ln1_weight, a.ln1_mean,
        a.ln1_rstd, rows, C);
  });
  if (c.parallel_residual) {
    timed("norm bwd", [&] {
      norm_backward(c.norm, s.d_resid, g.ln2_weight, g.ln2_bias, s.d_ln2_out, x_in, w.ln2_weight, a.ln2_mean,
          a.ln2_rstd, rows, C);
    });
  }
}

#define NEOX_INSTANTIATE_LAYER(T)                                                                                \
  template void layer_forward<T>(const LayerContext<T>&, int64_t, const LayerTensors<T>&, LayerActivations<T>&, \
                                 const T*, T*, T*);                                                             \
  template void layer_backward<T>(const LayerContext<T>&, int64_t, const LayerTensors<T>&, const LayerTensors<T>&, \
                                  const LayerActivations<T>&, const T*, const GradientScratch<T>&);
NEOX_INSTANTIATE_LAYER(float)
NEOX_INSTANTIATE_LAYER(double)

}  // namespace neox::model
