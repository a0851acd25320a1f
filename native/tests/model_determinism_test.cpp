// Bitwise reproducibility of the float model and trainer: activation checkpointing changes
// memory, not results; the same run twice gives the same bits. (Across thread counts the bits
// differ: OpenBLAS's sgemm partitions its sums differently for 1 and 2 threads. Initialization
// alone is thread-independent.)
#include <cstring>

#include "model/trainer.h"
#include "model_test_util.h"

using namespace neox::model;
using namespace neox::testing;

namespace {

// Loss and every parameter gradient of one float micro-batch (dropout on).
struct Gradients {
  double loss;
  std::vector<float> grads;
};

Gradients float_gradients(ModelConfig config, bool checkpoint) {
  config.checkpoint_activations = checkpoint;
  config.hidden_dropout = 0.1;
  config.attention_dropout = 0.1;
  GptModel<float> m(config);
  m.initialize(1234);
  const std::vector<int32_t> tokens = random_tokens(config, 3, 17);
  m.zero_grads();
  const double loss = m.train_micro_batch(tokens.data(), nullptr, 3, config.seq_length, 0.5, 1234, 9);
  return {loss, std::vector<float>(m.grads(), m.grads() + m.param_elements())};
}

// Loss curve, parameters and moments after three steps of a small trainer.
struct Run {
  std::vector<double> losses;
  std::vector<std::vector<float>> tensors;
};

Run train_three_steps() {
  ModelConfig config = tiny_llama_config();
  config.hidden_size = 64;
  config.num_heads = 4;
  config.num_kv_heads = 2;
  config.mlp_linear1_width = 256;
  config.mlp_linear2_width = 128;
  config.seq_length = 70;  // more than one 64-row attention block
  config.max_position_embeddings = 70;
  config.vocab_size = 300;
  config.hidden_dropout = 0.1;
  config.attention_dropout = 0.1;
  TrainingConfig training;
  training.micro_batch = 2;
  training.gradient_accumulation = 2;
  Trainer trainer(config, training, 7, 0);
  Run run;
  const std::vector<int32_t> tokens = random_tokens(config, 4, 100);
  for (int64_t step = 0; step < 3; ++step) {
    run.losses.push_back(trainer.train_step(tokens.data(), int64_t(tokens.size()), nullptr, 0, 1e-3, step).loss);
  }
  for (const TensorInfo& info : trainer.tensor_info()) {
    std::vector<float> data(size_t(trainer.tensor_elements(info.name, "test")));
    trainer.get_tensor(info.name, data.data(), int64_t(data.size()));
    run.tensors.push_back(std::move(data));
  }
  return run;
}

bool same_run(const Run& a, const Run& b) {
  if (a.losses.size() != b.losses.size() || a.tensors.size() != b.tensors.size()) return false;
  if (std::memcmp(a.losses.data(), b.losses.data(), sizeof(double) * a.losses.size()) != 0) return false;
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    if (!bitwise_equal(a.tensors[i], b.tensors[i])) return false;
  }
  return true;
}

}  // namespace

NEOX_TEST(model_activation_checkpointing_gives_bitwise_identical_gradients) {
  for (const ModelConfig& config : {tiny_pythia_config(), tiny_llama_config(), tiny_gpt2_config()}) {
    const Gradients plain = float_gradients(config, false);
    const Gradients checkpointed = float_gradients(config, true);
    NEOX_EXPECT(plain.loss == checkpointed.loss) << plain.loss << " vs " << checkpointed.loss;
    NEOX_EXPECT(bitwise_equal(plain.grads, checkpointed.grads));
  }
}

NEOX_TEST(model_activation_checkpointing_keeps_less_memory) {
  ModelConfig config = tiny_pythia_config();
  config.num_layers = 6;
  GptModel<float> plain(config), checkpointed([&] {
    ModelConfig c = config;
    c.checkpoint_activations = true;
    return c;
  }());
  const std::vector<int32_t> tokens = random_tokens(config, 2, 3);
  plain.train_micro_batch(tokens.data(), nullptr, 2, config.seq_length, 1.0, 0, 0);
  checkpointed.train_micro_batch(tokens.data(), nullptr, 2, config.seq_length, 1.0, 0, 0);
  NEOX_EXPECT(checkpointed.bytes() < plain.bytes()) << checkpointed.bytes() << " vs " << plain.bytes();
}

NEOX_TEST(model_training_run_is_bitwise_reproducible) {
  const Run first = train_three_steps(), second = train_three_steps();
  NEOX_EXPECT(same_run(first, second));
  NEOX_EXPECT(first.losses[2] < first.losses[0]) << first.losses[0] << " → " << first.losses[2];
}

NEOX_TEST(model_initialization_is_reproducible_and_seeded) {
  const ModelConfig config = tiny_pythia_config();
  GptModel<float> a(config), b(config), c(config);
  {
    ThreadCountScope one(1);
    a.initialize(5);
  }
  b.initialize(5);
  c.initialize(6);
  const std::vector<float> pa(a.params(), a.params() + a.param_elements());
  const std::vector<float> pb(b.params(), b.params() + b.param_elements());
  const std::vector<float> pc(c.params(), c.params() + c.param_elements());
  NEOX_EXPECT(bitwise_equal(pa, pb));
  NEOX_EXPECT(!bitwise_equal(pa, pc));
}
