// Tiny model configurations and inputs shared by the model tests (model_*.cpp).
#pragma once

#include <cstdint>
#include <vector>

#include "model/gpt_model.h"
#include "model/model_config.h"
#include "op_test_util.h"

namespace neox::testing {

// Pythia style: parallel residual, LayerNorm, exact GELU, partial rotary, untied, biases.
inline model::ModelConfig tiny_pythia_config() {
  model::ModelConfig c;
  c.num_layers = 2;
  c.hidden_size = 8;
  c.num_heads = 2;
  c.num_kv_heads = 2;
  c.seq_length = 5;
  c.max_position_embeddings = 8;
  c.vocab_size = 11;
  c.mlp_linear1_width = 16;
  c.mlp_linear2_width = 16;
  c.activation = model::MlpActivation::gelu;
  c.norm = model::NormKind::layernorm;
  c.norm_eps = 1e-5;
  c.pos_emb = model::PositionKind::rotary;
  c.rotary_pct = 0.5;
  c.parallel_residual = true;
  c.tied_embeddings = false;
  return c;
}

// Llama style: sequential residual, RMSNorm, SwiGLU, GQA (4 query heads on 2 kv heads), full
// rotary, no biases, untied.
inline model::ModelConfig tiny_llama_config() {
  model::ModelConfig c = tiny_pythia_config();
  c.hidden_size = 16;
  c.num_heads = 4;
  c.num_kv_heads = 2;
  c.mlp_linear1_width = 24;
  c.mlp_linear2_width = 12;
  c.activation = model::MlpActivation::swiglu;
  c.norm = model::NormKind::rmsnorm;
  c.norm_eps = 1e-6;
  c.rotary_pct = 1.0;
  c.parallel_residual = false;
  c.attention_bias = false;
  c.mlp_bias = false;
  return c;
}

// GPT-2 style: sequential residual, learned positions (with an offset), tied embeddings, tanh GELU.
inline model::ModelConfig tiny_gpt2_config() {
  model::ModelConfig c = tiny_pythia_config();
  c.pos_emb = model::PositionKind::learned;
  c.position_offset = 2;
  c.parallel_residual = false;
  c.tied_embeddings = true;
  c.activation = model::MlpActivation::gelu_tanh;
  return c;
}

// Rows of seq_length + 1 random ids.
inline std::vector<int32_t> random_tokens(const model::ModelConfig& c, int64_t rows, uint64_t seed) {
  TestRng rng(seed);
  std::vector<int32_t> tokens(size_t(rows * (c.seq_length + 1)));
  for (int32_t& t : tokens) t = rng.index(c.vocab_size);
  return tokens;
}

// Parameters spread enough that every path carries gradient: norm gains around 1, the rest
// uniform in ±0.5 (so attention is far from uniform and GELU far from linear).
template <typename T>
void randomize_parameters(model::GptModel<T>& m, uint64_t seed) {
  TestRng rng(seed);
  for (const model::TensorSpec& spec : m.layout().tensors()) {
    T* p = m.params() + spec.offset;
    const bool gain = spec.init == model::InitRole::ones;
    for (int64_t i = 0; i < spec.numel; ++i) p[i] = T(gain ? rng.uniform(0.7, 1.3) : rng.uniform(-0.5, 0.5));
  }
}

}  // namespace neox::testing
