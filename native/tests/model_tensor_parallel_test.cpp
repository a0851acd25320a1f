// Tensor-parallel shards of the model (model_config.h tensor_parallel_shard, param_layout.h boxes,
// param_init.h global keys): every shard's tensors, placed at their boxes, rebuild the
// single-process tensors bitwise; divisibility is refused by key.
#include <cstring>

#include "model/gpt_model.h"
#include "model_test_util.h"
#include "test_harness.h"

namespace neox::testing {

namespace {

// Copies a shard tensor's data into the whole tensor at its boxes (2-D or 1-D, along dim 0).
void place(std::vector<float>& whole, const model::TensorSpec& spec, const float* data) {
  const int64_t global_columns = spec.global_shape.size() == 2 ? spec.global_shape[1] : 1;
  for (const model::TensorBox& box : spec.boxes) {
    const int64_t rows = box.shape[0], columns = box.shape.size() == 2 ? box.shape[1] : 1;
    const int64_t first_column = box.start.size() == 2 ? box.start[1] : 0;
    for (int64_t r = 0; r < rows; ++r) {
      std::memcpy(whole.data() + (box.start[0] + r) * global_columns + first_column, data + r * columns,
                  sizeof(float) * size_t(columns));
    }
    data += rows * columns;
  }
}

void check_shards_rebuild_the_model(const model::ModelConfig& config, int64_t tp) {
  model::GptModel<float> single(config);
  single.initialize(42);
  std::vector<model::GptModel<float>> shards;
  for (int64_t r = 0; r < tp; ++r) {
    shards.emplace_back(config.tensor_parallel_shard(tp, r));
    shards.back().initialize(42);
  }
  for (size_t k = 0; k < single.layout().tensors().size(); ++k) {
    const model::TensorSpec& whole_spec = single.layout().tensors()[k];
    std::vector<float> rebuilt(size_t(whole_spec.numel), -1.0f);
    for (int64_t r = 0; r < tp; ++r) {
      const model::TensorSpec& spec = shards[size_t(r)].layout().tensors()[k];
      NEOX_EXPECT(spec.name == whole_spec.name && spec.global_shape == whole_spec.shape) << spec.name;
      if (spec.tp_replicated && r > 0) continue;
      place(rebuilt, spec, shards[size_t(r)].params() + spec.offset);
    }
    NEOX_EXPECT(std::memcmp(rebuilt.data(), single.params() + whole_spec.offset, sizeof(float) * rebuilt.size()) == 0)
        << "tp " << tp << ": " << whole_spec.name << " does not rebuild from its shards";
  }
}

}  // namespace

NEOX_TEST(model_tp_shards_rebuild_the_single_process_weights) {
  model::ModelConfig pythia = tiny_pythia_config();
  pythia.vocab_size = 12;
  check_shards_rebuild_the_model(pythia, 2);
  model::ModelConfig llama = tiny_llama_config();  // GQA 4/2: Q, K, V boxes; SwiGLU: up, gate boxes
  llama.vocab_size = 12;
  check_shards_rebuild_the_model(llama, 2);
  model::ModelConfig gpt2 = tiny_gpt2_config();  // tied, learned positions
  gpt2.vocab_size = 12;
  gpt2.init_method = model::InitMethod::xavier_uniform;  // fans of the whole tensor
  check_shards_rebuild_the_model(gpt2, 2);
}

NEOX_TEST(model_tp_refuses_sizes_it_cannot_split) {
  const model::ModelConfig pythia = tiny_pythia_config();  // 2 heads, vocab 11
  NEOX_EXPECT_THROWS(pythia.tensor_parallel_shard(4, 0),
                     "num_attention_heads 2 is not divisible by model_parallel_size 4; tensor parallelism splits it "
                     "evenly: choose a model_parallel_size that divides it");
  NEOX_EXPECT_THROWS(pythia.tensor_parallel_shard(2, 0), "padded_vocab_size 11 is not divisible by model_parallel_size 2");
}

}  // namespace neox::testing
