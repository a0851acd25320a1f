#include "model/model_config.h"

#include <cmath>

#include "core/errors.h"
#include "cpu/rotary.h"

namespace neox::model {

namespace {

void check_positive(const char* key, int64_t value) {
  NEOX_CHECK_ARG(value > 0, key << " is " << value << "; it must be a positive integer");
}

void check_probability(const char* key, double value) {
  NEOX_CHECK_ARG(value >= 0 && value < 1, key << " is " << value << "; it must be in [0, 1)");
}

}  // namespace

void ModelConfig::validate() const {
  check_positive("num_layers", num_layers);
  check_positive("hidden_size", hidden_size);
  check_positive("num_attention_heads", num_heads);
  check_positive("num_kv_heads", num_kv_heads);
  check_positive("seq_length", seq_length);
  check_positive("max_position_embeddings", max_position_embeddings);
  check_positive("padded_vocab_size", vocab_size);
  check_positive("mlp_linear1_width", mlp_linear1_width);
  check_positive("mlp_linear2_width", mlp_linear2_width);
  NEOX_CHECK_ARG(tp_size >= 1 && tp_rank >= 0 && tp_rank < tp_size, "tensor-parallel rank " << tp_rank << " of " << tp_size
                 << " is invalid");
  NEOX_CHECK_ARG(hidden_size % (num_heads * tp_size) == 0, "hidden_size " << hidden_size
                 << " is not divisible by num_attention_heads " << num_heads * tp_size << "; choose a head count that divides it");
  NEOX_CHECK_ARG(num_heads % num_kv_heads == 0, "num_attention_heads " << num_heads << " is not divisible by num_kv_heads "
                 << num_kv_heads << "; choose num_kv_heads dividing the head count");
  NEOX_CHECK_ARG(vocab_size <= INT32_MAX, "padded_vocab_size " << vocab_size << " exceeds the int32 token id range");
  if (gated()) {
    NEOX_CHECK_ARG(mlp_linear1_width == 2 * mlp_linear2_width, "mlp_linear1_width " << mlp_linear1_width
                   << " must be twice mlp_linear2_width " << mlp_linear2_width << " for a gated activation ([up; gate] halves)");
  } else {
    NEOX_CHECK_ARG(mlp_linear1_width == mlp_linear2_width, "mlp_linear1_width " << mlp_linear1_width
                   << " must equal mlp_linear2_width " << mlp_linear2_width << " for a non-gated activation");
  }
  NEOX_CHECK_ARG(norm_eps > 0 && std::isfinite(norm_eps),
                 (norm == NormKind::layernorm ? "layernorm_epsilon" : "rms_norm_epsilon") << " is " << norm_eps
                     << "; it must be > 0");
  check_probability("hidden_dropout", hidden_dropout);
  check_probability("attention_dropout", attention_dropout);
  NEOX_CHECK_ARG(init_std >= 0 && std::isfinite(init_std), "init_method_std is " << init_std << "; it must be >= 0");
  NEOX_CHECK_ARG(sliding_window == -1 || sliding_window >= 1,
                 "sliding_window_width is " << sliding_window << "; it must be >= 1 (or unset for full causal attention)");
  if (pos_emb == PositionKind::rotary) {
    cpu::rotary_dims(head_size(), rotary_pct);  // throws naming rotary_pct when the dims are not usable
    NEOX_CHECK_ARG(rotary_base > 0, "rotary_emb_base is " << rotary_base << "; it must be > 0");
  }
  if (pos_emb == PositionKind::learned) {
    NEOX_CHECK_ARG(position_offset >= 0 && seq_length + position_offset <= max_position_embeddings,
                   "seq_length " << seq_length << " + opt_pos_emb_offset " << position_offset
                   << " exceeds max_position_embeddings " << max_position_embeddings
                   << "; the learned position table needs a row per position: raise max_position_embeddings");
  }
}

ModelConfig ModelConfig::tensor_parallel_shard(int64_t size, int64_t rank) const {
  validate();
  NEOX_CHECK_ARG(tp_size == 1, "tensor_parallel_shard: the config is already a shard");
  NEOX_CHECK_ARG(size >= 1 && rank >= 0 && rank < size, "tensor-parallel rank " << rank << " of " << size << " is invalid");
  auto check = [&](const char* key, int64_t value) {
    NEOX_CHECK_ARG(value % size == 0, key << " " << value << " is not divisible by model_parallel_size " << size
                   << "; tensor parallelism splits it evenly: choose a model_parallel_size that divides it");
  };
  check("num_attention_heads", num_heads);
  check("num_kv_heads", num_kv_heads);
  check("padded_vocab_size", vocab_size);
  check(gated() ? "mlp_linear2_width (each half of the gated mlp_linear1)" : "mlp_linear1_width", mlp_linear2_width);
  ModelConfig shard = *this;
  shard.tp_size = size;
  shard.tp_rank = rank;
  shard.num_heads = num_heads / size;
  shard.num_kv_heads = num_kv_heads / size;
  shard.vocab_size = vocab_size / size;
  shard.mlp_linear1_width = mlp_linear1_width / size;
  shard.mlp_linear2_width = mlp_linear2_width / size;
  return shard;
}

ModelConfig ModelConfig::pipeline_stage(int64_t first, int64_t count, bool is_first, bool is_last) const {
  NEOX_CHECK_ARG(first >= 0 && count >= 0 && first + count <= num_layers, "pipeline stage layers [" << first << ", "
                 << first + count << ") are outside the model's " << num_layers << " (num_layers)");
  ModelConfig stage = *this;
  stage.first_layer = first;
  stage.layer_count = count;
  stage.first_stage = is_first;
  stage.last_stage = is_last;
  return stage;
}

void TrainingConfig::validate() const {
  check_positive("train_micro_batch_size_per_gpu", micro_batch);
  check_positive("gradient_accumulation_steps", gradient_accumulation);
  NEOX_CHECK_ARG(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1,
                 "optimizer.params.betas is [" << beta1 << ", " << beta2 << "]; both must be in [0, 1)");
  NEOX_CHECK_ARG(eps > 0, "optimizer.params.eps is " << eps << "; it must be > 0 (default 1e-8)");
  NEOX_CHECK_ARG(weight_decay >= 0 && std::isfinite(weight_decay), "weight_decay is " << weight_decay << "; it must be >= 0");
  NEOX_CHECK_ARG(gradient_clipping >= 0 && std::isfinite(gradient_clipping),
                 "gradient_clipping is " << gradient_clipping << "; it must be >= 0 (0 turns clipping off)");
}

NormKind parse_norm(const std::string& value) {
  if (value == "layernorm") return NormKind::layernorm;
  if (value == "rmsnorm") return NormKind::rmsnorm;
  NEOX_CHECK_ARG(false, "norm is '" << value << "'; the CPU engine supports 'layernorm' or 'rmsnorm'");
  return NormKind::layernorm;
}

PositionKind parse_position(const std::string& value) {
  if (value == "rotary") return PositionKind::rotary;
  if (value == "learned") return PositionKind::learned;
  if (value == "none") return PositionKind::none;
  NEOX_CHECK_ARG(false, "pos_emb is '" << value << "'; the CPU engine supports 'rotary', 'learned' or 'none'");
  return PositionKind::none;
}

MlpActivation parse_activation(const std::string& value, bool bias_gelu_fusion) {
  if (value == "gelu") return bias_gelu_fusion ? MlpActivation::gelu_tanh : MlpActivation::gelu;
  if (value == "swiglu") return MlpActivation::swiglu;
  NEOX_CHECK_ARG(false, "activation is '" << value << "'; the CPU engine supports 'gelu' or 'swiglu'");
  return MlpActivation::gelu;
}

namespace {
struct InitName {
  InitMethod method;
  const char* name;
};
constexpr InitName kInitNames[] = {
    {InitMethod::normal, "normal"},
    {InitMethod::scaled_normal, "scaled_normal"},
    {InitMethod::single_residual_scaled_normal, "single_residual_scaled_normal"},
    {InitMethod::small_init, "small_init"},
    {InitMethod::wang_init, "wang_init"},
    {InitMethod::xavier_normal, "xavier_normal"},
    {InitMethod::xavier_uniform, "xavier_uniform"},
};
}  // namespace

InitMethod parse_init_method(const std::string& key, const std::string& value) {
  for (const InitName& entry : kInitNames) {
    if (value == entry.name) return entry.method;
  }
  NEOX_CHECK_ARG(false, key << " is '" << value << "'; the CPU engine supports normal, scaled_normal, "
                 "single_residual_scaled_normal, small_init, wang_init, xavier_normal or xavier_uniform");
  return InitMethod::normal;
}

const char* init_method_name(InitMethod method) {
  for (const InitName& entry : kInitNames) {
    if (method == entry.method) return entry.name;
  }
  return "?";
}

}  // namespace neox::model
