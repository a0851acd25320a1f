// One GPT-NeoX block, forward and backward (reference §1.2, §1.4, §1.5), on the ops of src/cpu/:
//   parallel (gpt_j_residual):  y = x + drop(Attn(N1 x)) + drop(MLP(N2 x))
//   sequential:                 m = x + drop(Attn(N1 x));  y = m + drop(MLP(N2 m))
//   Attn(u) = attention(rotary(u·Wqkvᵀ + bqkv))·Woᵀ + bo      MLP(u) = act(u·W1ᵀ + b1)·W2ᵀ + b2
// The QKV activation stays fused in GPT-NeoX's layout (qkv_layout.h); drop = hidden_dropout.
//
// Tensor parallelism (ctx.tp, config a shard: model_config.h): the rank's heads and MLP columns
// run locally; the dense and linear2 outputs are summed over the group before their bias and
// residual, and the gradients into the two norms' outputs are summed in backward.
//
// Dropout keys: site 0 of a micro-batch is the embedding dropout; layer l owns sites 1 + 3l
// (attention probabilities), 2 + 3l (attention branch) and 3 + 3l (MLP branch). A site's RNG
// offset is counter·(1 + 3L) + site, where the counter is distinct per micro-batch and step,
// so the backward, and a recomputation under activation checkpointing, regenerate every mask.
#pragma once

#include <cstdint>

#include "comm/communicator.h"
#include "cpu/counter_rng.h"
#include "model/model_config.h"
#include "model/param_layout.h"
#include "model/workspace.h"

namespace neox::model {

// What every layer call of one micro-batch shares.
template <typename T>
struct LayerContext {
  const ModelConfig* config;
  int64_t batch, seq_len;
  const T* rotary_cos;        // (positions, r/2) or null without rotary
  const T* rotary_sin;
  int64_t rotary_positions;
  int64_t rotary_dims;
  bool training;              // dropout on
  uint64_t seed;              // run seed (dropout key)
  uint64_t dropout_counter;   // distinct per micro-batch and step
  comm::Communicator* tp = nullptr;  // tensor-parallel group (null: the whole layer is here)

  int64_t rows() const { return batch * seq_len; }
  // The dropout of `site` with probability p (off outside training).
  cpu::DropoutSpec dropout(int64_t site, double p) const {
    const uint64_t sites = uint64_t(1 + 3 * config->num_layers);
    return {training ? p : 0.0, seed, dropout_counter * sites + uint64_t(site)};
  }
};

// x_in (rows, C) → x_out (rows, C), storing what the backward needs in `acts`; `branch_out`
// (rows, C) is scratch. x_out must not alias x_in.
template <typename T>
void layer_forward(const LayerContext<T>& ctx, int64_t layer, const LayerTensors<T>& w, LayerActivations<T>& acts,
                   const T* x_in, T* x_out, T* branch_out);

// On entry scratch.d_resid holds ∂loss/∂x_out; on return ∂loss/∂x_in. Parameter gradients add
// (+=) into g. Reads the activations the forward (or a recomputation) stored in `acts`.
template <typename T>
void layer_backward(const LayerContext<T>& ctx, int64_t layer, const LayerTensors<T>& w, const LayerTensors<T>& g,
                    const LayerActivations<T>& acts, const T* x_in, const GradientScratch<T>& scratch);

}  // namespace neox::model
