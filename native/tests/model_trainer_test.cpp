// The trainer's step logic (accumulation, clipping, AdamW wiring, decay groups, skipped steps),
// initialization statistics, tensor access, and its refusals of bad input with exact messages.
#include <cmath>
#include <cstring>
#include <limits>

#include "cpu/rotary.h"
#include "model/param_init.h"
#include "model/trainer.h"
#include "model_test_util.h"

using namespace neox::model;
using namespace neox::testing;

namespace {

TrainingConfig small_training(int64_t micro, int64_t gas) {
  TrainingConfig t;
  t.micro_batch = micro;
  t.gradient_accumulation = gas;
  t.beta1 = 0.9;
  t.beta2 = 0.95;
  t.weight_decay = 0.1;
  t.gradient_clipping = 1.0;
  return t;
}

std::vector<float> tensor(const Trainer& trainer, const std::string& name) {
  std::vector<float> data(size_t(trainer.tensor_elements(name, "test")));
  trainer.get_tensor(name, data.data(), int64_t(data.size()));
  return data;
}

std::vector<float> gradient(const Trainer& trainer, const std::string& name) {
  std::vector<float> data(size_t(trainer.tensor_elements(name, "test")));
  trainer.get_gradient(name, data.data(), int64_t(data.size()));
  return data;
}

double sample_std(const float* x, int64_t n) {
  double sum = 0, squares = 0;
  for (int64_t i = 0; i < n; ++i) sum += x[i], squares += double(x[i]) * x[i];
  const double mean = sum / double(n);
  return std::sqrt(squares / double(n) - mean * mean);
}

}  // namespace

NEOX_TEST(model_step_applies_clipped_adamw_with_decay_groups) {
  const ModelConfig config = tiny_pythia_config();
  Trainer trainer(config, small_training(2, 2), 3, 0);
  const std::vector<int32_t> tokens = random_tokens(config, 4, 21);
  const auto before = trainer.tensor_info();
  std::vector<std::vector<float>> params;
  for (const TensorInfo& info : before) {
    if (info.kind == TensorKind::parameter) params.push_back(tensor(trainer, info.name));
  }
  const double lr = 1e-2;
  const StepResult result = trainer.train_step(tokens.data(), int64_t(tokens.size()), nullptr, 0, lr, 0);
  NEOX_EXPECT(!result.skipped && result.non_finite.empty());
  NEOX_EXPECT(trainer.optimizer_step() == 1);
  // The norm the step reports is the norm of the gradients it kept.
  double squares = 0;
  for (const TensorInfo& info : before) {
    if (info.kind != TensorKind::parameter) continue;
    for (float g : gradient(trainer, info.name)) squares += double(g) * g;
  }
  NEOX_EXPECT_NEAR(result.grad_norm, std::sqrt(squares), 1e-9 * result.grad_norm);
  // First AdamW step: m̂ = c·g, v̂ = (c·g)², so p₁ = p₀·(1 − lr·wd) − lr·c·g/(|c·g| + eps).
  const double clip = std::min(1.0, 1.0 / (result.grad_norm + 1e-6));
  size_t k = 0;
  for (const TensorInfo& info : before) {
    if (info.kind != TensorKind::parameter) continue;
    const bool is_bias_or_norm = info.name.find(".bias") != std::string::npos ||
                                 info.name.find("norm") != std::string::npos;
    NEOX_EXPECT(info.decay == !is_bias_or_norm) << info.name;
    const std::vector<float> g = gradient(trainer, info.name), after = tensor(trainer, info.name);
    const std::vector<float>& p0 = params[k++];
    std::vector<double> expected(p0.size());
    for (size_t i = 0; i < p0.size(); ++i) {
      const double cg = clip * g[i];
      expected[i] = p0[i] * (1 - lr * (info.decay ? 0.1 : 0.0)) - lr * cg / (std::fabs(cg) + 1e-8);
    }
    NEOX_EXPECT_CLOSE(info.name, after, expected, 1e-5);
  }
}

NEOX_TEST(model_gradient_accumulation_averages_micro_batches) {
  // Two micro-batches of 2 rows with GAS 2 give the gradient mean of the two micro-batches.
  const ModelConfig config = tiny_llama_config();
  const std::vector<int32_t> tokens = random_tokens(config, 4, 8);
  const int64_t half = int64_t(tokens.size()) / 2;
  Trainer both(config, small_training(2, 2), 3, 0), first(config, small_training(2, 1), 3, 0),
      second(config, small_training(2, 1), 3, 0);
  const double loss = both.train_step(tokens.data(), int64_t(tokens.size()), nullptr, 0, 0.0, 0).loss;
  const double l1 = first.train_step(tokens.data(), half, nullptr, 0, 0.0, 0).loss;
  const double l2 = second.train_step(tokens.data() + half, half, nullptr, 0, 0.0, 0).loss;
  NEOX_EXPECT_NEAR(loss, (l1 + l2) / 2, 1e-6);
  for (const TensorInfo& info : both.tensor_info()) {
    if (info.kind != TensorKind::parameter) continue;
    const std::vector<float> g = gradient(both, info.name), g1 = gradient(first, info.name),
                             g2 = gradient(second, info.name);
    std::vector<double> mean(g.size());
    for (size_t i = 0; i < g.size(); ++i) mean[i] = (double(g1[i]) + g2[i]) / 2;
    NEOX_EXPECT_CLOSE(info.name, g, mean, 1e-5);
  }
}

NEOX_TEST(model_non_finite_loss_skips_the_update) {
  const ModelConfig config = tiny_pythia_config();
  Trainer trainer(config, small_training(1, 1), 3, 0);
  std::vector<float> weight = tensor(trainer, "layers.1.mlp.linear1.weight");
  weight[5] = std::numeric_limits<float>::quiet_NaN();
  trainer.set_tensor("layers.1.mlp.linear1.weight", weight.data(), int64_t(weight.size()));
  const std::vector<float> embedding = tensor(trainer, "embed.word_embeddings.weight");
  const std::vector<int32_t> tokens = random_tokens(config, 1, 2);
  const StepResult result = trainer.train_step(tokens.data(), int64_t(tokens.size()), nullptr, 0, 1e-3, 41);
  NEOX_EXPECT(result.skipped);
  NEOX_EXPECT(result.non_finite == "loss") << result.non_finite;
  NEOX_EXPECT(result.step == 41);
  NEOX_EXPECT(trainer.optimizer_step() == 0);
  NEOX_EXPECT(bitwise_equal(tensor(trainer, "embed.word_embeddings.weight"), embedding));
}

NEOX_TEST(model_first_non_finite_gradient_names_the_tensor) {
  const ModelConfig config = tiny_llama_config();
  GptModel<float> m(config);
  AdamWOptimizer optimizer(m.layout(), small_training(1, 1));
  m.zero_grads();
  NEOX_EXPECT(optimizer.first_non_finite_gradient(m.grads()).empty());
  const TensorSpec* dense = m.layout().find("layers.1.attention.dense.weight");
  const TensorSpec* later = m.layout().find("final_norm.scale");
  m.grads()[later->offset] = std::numeric_limits<float>::infinity();
  m.grads()[dense->offset + 3] = std::numeric_limits<float>::quiet_NaN();
  NEOX_EXPECT(optimizer.first_non_finite_gradient(m.grads()) == "layers.1.attention.dense.weight");
  NEOX_EXPECT(!std::isfinite(optimizer.gradient_norm(m.grads())));
}

NEOX_TEST(model_initialization_follows_the_configured_distributions) {
  ModelConfig config = tiny_pythia_config();
  config.num_layers = 4;
  config.hidden_size = 256;
  config.num_heads = 4;
  config.num_kv_heads = 4;
  config.mlp_linear1_width = config.mlp_linear2_width = 1024;
  config.init_method = InitMethod::small_init;
  config.output_init_method = InitMethod::wang_init;
  GptModel<float> m(config);
  m.initialize(77);
  auto std_of = [&](const char* name) {
    const TensorSpec* s = m.layout().find(name);
    return sample_std(m.params() + s->offset, s->numel);
  };
  NEOX_EXPECT_NEAR(std_of("layers.2.mlp.linear1.weight"), std::sqrt(2.0 / (5 * 256)), 0.01 * std::sqrt(2.0 / (5 * 256)));
  NEOX_EXPECT_NEAR(std_of("layers.2.mlp.linear2.weight"), 2.0 / (4 * 16), 0.01 * 2.0 / (4 * 16));
  NEOX_EXPECT_NEAR(std_of("layers.0.attention.dense.weight"), 2.0 / (4 * 16), 0.02 * 2.0 / (4 * 16));
  const TensorSpec* gain = m.layout().find("layers.3.input_layernorm.weight");
  const TensorSpec* bias = m.layout().find("layers.3.mlp.linear1.bias");
  for (int64_t i = 0; i < gain->numel; ++i) NEOX_EXPECT(m.params()[gain->offset + i] == 1.f);
  for (int64_t i = 0; i < bias->numel; ++i) NEOX_EXPECT(m.params()[bias->offset + i] == 0.f);
  config.init_method = InitMethod::normal;
  config.output_init_method = InitMethod::scaled_normal;
  config.init_std = 0.02;
  GptModel<float> n(config);
  n.initialize(77);
  const TensorSpec* fc1 = n.layout().find("layers.2.mlp.linear1.weight");
  const TensorSpec* fc2 = n.layout().find("layers.2.mlp.linear2.weight");
  NEOX_EXPECT_NEAR(sample_std(n.params() + fc1->offset, fc1->numel), 0.02, 0.0002);
  NEOX_EXPECT_NEAR(sample_std(n.params() + fc2->offset, fc2->numel), 0.02 / std::sqrt(8.0), 0.0002 / std::sqrt(8.0));
}

NEOX_TEST(model_tensor_names_follow_the_documented_scheme) {
  ModelConfig config = tiny_llama_config();
  Trainer llama(config, small_training(1, 1), 1, 0);
  const auto info = llama.tensor_info();
  NEOX_EXPECT(info.front().name == "embed.word_embeddings.weight");
  NEOX_EXPECT(llama.tensor_elements("layers.1.attention.query_key_value.weight", "t") == (4 + 2 * 2) * 4 * 16);
  NEOX_EXPECT(llama.tensor_elements("layers.0.input_layernorm.scale", "t") == 16);
  NEOX_EXPECT(llama.tensor_elements("final_linear.weight", "t") == 11 * 16);
  NEOX_EXPECT(llama.tensor_elements("optimizer.exp_avg_sq.final_norm.scale", "t") == 16);
  NEOX_EXPECT(info.size() == 3 * (1 + 2 * 6 + 1 + 1));
  NEOX_EXPECT_THROWS(llama.tensor_elements("layers.0.attention.dense.bias", "getTensor"),
                     "getTensor: no tensor named 'layers.0.attention.dense.bias'");
  Trainer gpt2(tiny_gpt2_config(), small_training(1, 1), 1, 0);
  NEOX_EXPECT(gpt2.tensor_elements("embed.position_embeddings.weight", "t") == 8 * 8);
  NEOX_EXPECT_THROWS(gpt2.tensor_elements("final_linear.weight", "getTensor"), "no tensor named 'final_linear.weight'");
}

NEOX_TEST(model_refuses_bad_input_with_clear_messages) {
  const ModelConfig config = tiny_pythia_config();
  Trainer trainer(config, small_training(2, 2), 1, 0);
  std::vector<int32_t> tokens = random_tokens(config, 4, 1);
  const int64_t n = int64_t(tokens.size());
  NEOX_EXPECT_THROWS(trainer.train_step(tokens.data(), n - 1, nullptr, 0, 1e-3, 0),
                     "trainStep: tokens has 23 elements; expected gradient_accumulation_steps (2) × "
                     "train_micro_batch_size_per_gpu (2) × (seq_length (5) + 1) = 24");
  std::vector<float> mask(20, 1.f);
  NEOX_EXPECT_THROWS(trainer.train_step(tokens.data(), n, mask.data(), 19, 1e-3, 0),
                     "trainStep: lossMask has 19 elements; expected one weight per target: 4 rows × seq_length (5) = 20");
  NEOX_EXPECT_THROWS(trainer.train_step(tokens.data(), n, nullptr, 0, NAN, 0), "trainStep: lr is nan");
  tokens[13] = 11;
  NEOX_EXPECT_THROWS(trainer.train_step(tokens.data(), n, nullptr, 0, 1e-3, 0),
                     "trainStep: token id 11 at row 2, position 1 is outside [0, 11) (padded_vocab_size)");
  tokens[13] = -1;
  NEOX_EXPECT_THROWS(trainer.eval_loss(tokens.data() + 12, 12), "evalLoss: token id -1 at row 0, position 1");
  NEOX_EXPECT_THROWS(trainer.eval_loss(tokens.data(), 6), "evalLoss: tokens has 6 elements; expected one micro-batch");
  NEOX_EXPECT(trainer.optimizer_step() == 0);
  std::vector<float> out(100);
  NEOX_EXPECT_THROWS(trainer.logits(out.data(), tokens.data(), 9, 1, 9), "logits: seqLen 9 exceeds the 8 positions");
  std::vector<float> wrong(7);
  NEOX_EXPECT_THROWS(trainer.set_tensor("final_norm.bias", wrong.data(), 7),
                     "setTensor: 'final_norm.bias' has shape [8] = 8 elements; got 7 values");
  NEOX_EXPECT_THROWS(parse_norm("scalenorm"), "norm is 'scalenorm'; the CPU engine supports 'layernorm' or 'rmsnorm'");
  NEOX_EXPECT_THROWS(parse_position("alibi"), "pos_emb is 'alibi'");
  NEOX_EXPECT_THROWS(parse_activation("relu", false), "activation is 'relu'");
  NEOX_EXPECT_THROWS(parse_init_method("init_method", "orthogonal"), "init_method is 'orthogonal'");
  ModelConfig bad = config;
  bad.mlp_linear2_width = 12;
  NEOX_EXPECT_THROWS(GptModel<float>{bad}, "mlp_linear1_width 16 must equal mlp_linear2_width 12");
  bad = config;
  bad.rotary_pct = 0.3;
  NEOX_EXPECT_THROWS(GptModel<float>{bad}, "rotary dims int(4 · 0.3) = 1 must be even");
}

NEOX_TEST(model_gradients_and_moments_are_allocated_by_training_only) {
  // An engine used for inference (generate, serve, eval) holds its parameters and rotary tables
  // only: gradients come with the first train step, AdamW moments with the first update or write.
  const ModelConfig config = tiny_pythia_config();
  Trainer trainer(config, small_training(1, 1), 3, 0);
  const int64_t param_bytes = trainer.model().param_elements() * int64_t(sizeof(float));
  const int64_t rotary = neox::cpu::rotary_dims(config.head_size(), config.rotary_pct);
  const int64_t table_bytes = 2 * config.position_count() * (rotary / 2) * int64_t(sizeof(float));
  NEOX_EXPECT(trainer.bytes() == param_bytes + table_bytes) << trainer.bytes() << " vs " << param_bytes + table_bytes;
  // Before any step, moments and gradients read as zeros and reading allocates nothing.
  const std::string moment = "optimizer.exp_avg.layers.0.mlp.linear1.weight";
  for (float v : tensor(trainer, moment)) NEOX_EXPECT(v == 0.0f);
  for (float v : gradient(trainer, "layers.0.mlp.linear1.weight")) NEOX_EXPECT(v == 0.0f);
  NEOX_EXPECT(trainer.bytes() == param_bytes + table_bytes);
  // A written moment (a checkpoint being loaded) is kept.
  std::vector<float> written(tensor(trainer, moment).size(), 0.25f);
  trainer.set_tensor(moment, written.data(), int64_t(written.size()));
  NEOX_EXPECT(tensor(trainer, moment) == written);
  NEOX_EXPECT(trainer.bytes() == 3 * param_bytes + table_bytes);
  const std::vector<int32_t> tokens = random_tokens(config, 1, 5);
  const StepResult result = trainer.train_step(tokens.data(), int64_t(tokens.size()), nullptr, 0, 1e-3, 0);
  NEOX_EXPECT(!result.skipped);
  NEOX_EXPECT(trainer.bytes() > 4 * param_bytes + table_bytes);  // + gradients + the training workspace
}
