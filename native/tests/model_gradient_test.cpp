// The whole model's backward vs central finite differences in double, for every parameter
// element, on tiny configurations covering both residual styles, LayerNorm and RMSNorm, GELU
// (exact and tanh) and SwiGLU, MHA and GQA, partial and full rotary, learned positions, tied and
// untied output layers, biases on and off, dropout, a loss mask and the 1/GAS loss scale.
#include <cstring>
#include <string>

#include "model_test_util.h"

using namespace neox::model;
using namespace neox::testing;

namespace {

// Checks ∂loss/∂θ of every parameter tensor against finite differences of the training loss
// (dropout masks are keyed by seed and counter, so every evaluation draws the same masks).
void expect_model_gradient_matches_finite_differences(const ModelConfig& config, const char* what) {
  GptModel<double> m(config);
  randomize_parameters(m, 42);
  const int64_t batch = 2, S = config.seq_length;
  const std::vector<int32_t> tokens = random_tokens(config, batch, 7);
  std::vector<float> mask(size_t(batch * S), 1.f);
  mask[1] = 0.f;
  mask[size_t(S) + 3] = 0.f;
  const double scale = 0.5;  // as with gradient_accumulation_steps = 2
  const uint64_t seed = 99, counter = 3;

  m.zero_grads();
  m.train_micro_batch(tokens.data(), mask.data(), batch, S, scale, seed, counter);
  std::vector<double> analytic(m.grads(), m.grads() + m.param_elements());

  auto loss = [&] { return scale * m.train_micro_batch(tokens.data(), mask.data(), batch, S, scale, seed, counter); };
  for (const TensorSpec& spec : m.layout().tensors()) {
    std::vector<double> values(m.params() + spec.offset, m.params() + spec.offset + spec.numel);
    std::vector<double> numeric(size_t(spec.numel));
    for (int64_t i = 0; i < spec.numel; ++i) {
      double& p = m.params()[spec.offset + i];
      const double saved = p;
      p = saved + 1e-5;
      const double up = loss();
      p = saved - 1e-5;
      const double down = loss();
      p = saved;
      numeric[size_t(i)] = (up - down) / 2e-5;
    }
    const std::vector<double> got(analytic.begin() + spec.offset, analytic.begin() + spec.offset + spec.numel);
    NEOX_EXPECT_CLOSE(what << " " << spec.name, got, numeric, kFiniteDifferenceTolerance);
  }
}

}  // namespace

NEOX_TEST(model_gradient_pythia_parallel_layernorm_gelu_partial_rotary) {
  expect_model_gradient_matches_finite_differences(tiny_pythia_config(), "pythia");
}

NEOX_TEST(model_gradient_llama_sequential_rmsnorm_swiglu_gqa) {
  expect_model_gradient_matches_finite_differences(tiny_llama_config(), "llama");
}

NEOX_TEST(model_gradient_gpt2_tied_learned_positions_tanh_gelu) {
  expect_model_gradient_matches_finite_differences(tiny_gpt2_config(), "gpt2");
}

NEOX_TEST(model_gradient_with_dropout_window_and_no_positions) {
  ModelConfig c = tiny_pythia_config();
  c.hidden_dropout = 0.2;
  c.attention_dropout = 0.3;
  c.sliding_window = 2;
  c.pos_emb = PositionKind::none;
  expect_model_gradient_matches_finite_differences(c, "dropout");
  c.parallel_residual = false;
  c.tied_embeddings = true;
  expect_model_gradient_matches_finite_differences(c, "dropout sequential tied");
}

NEOX_TEST(model_gradient_with_activation_checkpointing) {
  ModelConfig c = tiny_llama_config();
  c.checkpoint_activations = true;
  c.hidden_dropout = 0.1;
  expect_model_gradient_matches_finite_differences(c, "checkpointed");
}

NEOX_TEST(model_forward_matches_between_train_and_eval_without_dropout) {
  // eval_loss (inference workspace, two residual buffers) and the training forward agree, and
  // the logits' cross-entropy gives the same loss.
  for (const ModelConfig& config : {tiny_pythia_config(), tiny_llama_config(), tiny_gpt2_config()}) {
    GptModel<double> m(config);
    randomize_parameters(m, 5);
    const int64_t batch = 3, S = config.seq_length, V = config.vocab_size;
    const std::vector<int32_t> tokens = random_tokens(config, batch, 11);
    const double eval = m.eval_loss(tokens.data(), nullptr, batch, S);
    const double train = m.train_micro_batch(tokens.data(), nullptr, batch, S, 1.0, 0, 0);
    NEOX_EXPECT_NEAR(eval, train, 1e-12);
    std::vector<int32_t> inputs;
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t t = 0; t < S; ++t) inputs.push_back(tokens[size_t(b * (S + 1) + t)]);
    std::vector<double> logits(size_t(batch * S * V));
    m.logits(logits.data(), inputs.data(), batch, S);
    double total = 0;
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t t = 0; t < S; ++t) {
        const double* row = logits.data() + (b * S + t) * V;
        double mx = row[0], sum = 0;
        for (int64_t v = 0; v < V; ++v) mx = std::max(mx, row[v]);
        for (int64_t v = 0; v < V; ++v) sum += std::exp(row[v] - mx);
        total += mx + std::log(sum) - row[tokens[size_t(b * (S + 1) + t + 1)]];
      }
    NEOX_EXPECT_NEAR(total / double(batch * S), eval, 1e-12);
  }
}
