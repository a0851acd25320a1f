#include "model/param_layout.h"

#include <utility>

namespace neox::model {

namespace {
constexpr int64_t kAlignElements = 16;  // 64 bytes of fp32
}

int64_t ParamLayout::add(const std::string& name, std::vector<int64_t> shape, bool decay, InitRole init) {
  TensorSpec spec;
  spec.name = name;
  spec.numel = 1;
  for (int64_t d : shape) spec.numel *= d;
  if (shape.size() == 2) {
    spec.fan_out = shape[0];
    spec.fan_in = shape[1];
  }
  spec.shape = std::move(shape);
  spec.offset = total_;
  spec.decay = decay;
  spec.init = init;
  total_ += (spec.numel + kAlignElements - 1) / kAlignElements * kAlignElements;
  tensors_.push_back(std::move(spec));
  return tensors_.back().offset;
}

ParamLayout::ParamLayout(const ModelConfig& config) {
  config.validate();
  const int64_t C = config.hidden_size, V = config.vocab_size;
  const bool rms = config.norm == NormKind::rmsnorm;
  // A norm's parameters: (weight, bias) for layernorm, (scale, none) for rmsnorm; never decayed.
  auto add_norm = [&](const std::string& prefix, int64_t& weight, int64_t& bias) {
    weight = add(prefix + (rms ? ".scale" : ".weight"), {C}, false, InitRole::ones);
    bias = rms ? -1 : add(prefix + ".bias", {C}, false, InitRole::zeros);
  };
  // A linear layer's weight (decayed) and optional bias (not decayed, zero).
  auto add_linear = [&](const std::string& prefix, int64_t out, int64_t in, bool bias, InitRole init,
                        int64_t& weight_offset, int64_t& bias_offset) {
    weight_offset = add(prefix + ".weight", {out, in}, true, init);
    bias_offset = bias ? add(prefix + ".bias", {out}, false, InitRole::zeros) : -1;
  };

  word_embeddings_ = add("embed.word_embeddings.weight", {V, C}, true, InitRole::init_method);
  if (config.pos_emb == PositionKind::learned) {
    position_embeddings_ = add("embed.position_embeddings.weight", {config.max_position_embeddings, C}, true,
                               InitRole::init_method);
  }
  layers_.resize(size_t(config.num_layers));
  for (int64_t i = 0; i < config.num_layers; ++i) {
    LayerOffsets& o = layers_[size_t(i)];
    const std::string p = "layers." + std::to_string(i) + ".";
    add_norm(p + "input_layernorm", o.ln1_weight, o.ln1_bias);
    add_linear(p + "attention.query_key_value", config.qkv_width(), C, config.attention_bias, InitRole::init_method,
               o.qkv_weight, o.qkv_bias);
    add_linear(p + "attention.dense", C, C, config.attention_bias, InitRole::output_layer_init_method, o.dense_weight,
               o.dense_bias);
    add_norm(p + "post_attention_layernorm", o.ln2_weight, o.ln2_bias);
    add_linear(p + "mlp.linear1", config.mlp_linear1_width, C, config.mlp_bias, InitRole::init_method, o.fc1_weight,
               o.fc1_bias);
    add_linear(p + "mlp.linear2", C, config.mlp_linear2_width, config.mlp_bias, InitRole::output_layer_init_method,
               o.fc2_weight, o.fc2_bias);
  }
  add_norm("final_norm", final_norm_weight_, final_norm_bias_);
  output_weight_ = config.tied_embeddings ? word_embeddings_
                                          : add("final_linear.weight", {V, C}, true, InitRole::init_method);
}

const TensorSpec* ParamLayout::find(const std::string& name) const {
  for (const TensorSpec& spec : tensors_) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

}  // namespace neox::model
