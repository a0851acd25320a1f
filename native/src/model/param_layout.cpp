#include "model/param_layout.h"

#include <utility>

namespace neox::model {

namespace {

constexpr int64_t kAlignElements = 16;  // 64 bytes of fp32

// Rows of a column-parallel tensor: the global tensor is blocks of global_rows[j] rows, and rank
// r holds rows [r·local_j, (r+1)·local_j) of every block j (local_j = global_rows[j] / tp).
struct RowBlocks {
  std::vector<int64_t> global_rows;
};

std::vector<TensorBox> row_boxes(const RowBlocks& blocks, int64_t tp, int64_t rank, int64_t columns) {
  std::vector<TensorBox> boxes;
  int64_t block_start = 0;
  for (int64_t rows : blocks.global_rows) {
    const int64_t local = rows / tp;
    TensorBox box;
    box.start = {block_start + rank * local};
    box.shape = {local};
    if (columns > 0) {
      box.start.push_back(0);
      box.shape.push_back(columns);
    }
    boxes.push_back(std::move(box));
    block_start += rows;
  }
  return boxes;
}

int64_t sum_of(const std::vector<int64_t>& values) {
  int64_t total = 0;
  for (int64_t v : values) total += v;
  return total;
}

}  // namespace

int64_t ParamLayout::add(const std::string& name, std::vector<int64_t> shape, bool decay, InitRole init) {
  const std::vector<int64_t> global = shape;
  std::vector<TensorBox> whole{TensorBox{std::vector<int64_t>(shape.size(), 0), shape}};
  return add_sharded(name, std::move(shape), global, std::move(whole), decay, init);
}

int64_t ParamLayout::add_sharded(const std::string& name, std::vector<int64_t> shape, std::vector<int64_t> global_shape,
                                 std::vector<TensorBox> boxes, bool decay, InitRole init) {
  const int64_t key = next_key_++;
  if (skipping_) return -1;
  TensorSpec spec;
  spec.init_key = key;
  spec.name = name;
  spec.numel = 1;
  for (int64_t d : shape) spec.numel *= d;
  if (global_shape.size() == 2) {  // xavier fans of the whole tensor
    spec.fan_out = global_shape[0];
    spec.fan_in = global_shape[1];
  }
  spec.tp_replicated = shape == global_shape;
  spec.shape = std::move(shape);
  spec.global_shape = std::move(global_shape);
  spec.boxes = std::move(boxes);
  spec.offset = total_;
  spec.decay = decay;
  spec.init = init;
  total_ += (spec.numel + kAlignElements - 1) / kAlignElements * kAlignElements;
  tensors_.push_back(std::move(spec));
  return tensors_.back().offset;
}

ParamLayout::ParamLayout(const ModelConfig& config) {
  config.validate();
  const int64_t C = config.hidden_size, V = config.vocab_size, tp = config.tp_size, rank = config.tp_rank;
  const bool rms = config.norm == NormKind::rmsnorm;
  // A norm's parameters: (weight, bias) for layernorm, (scale, none) for rmsnorm; never decayed.
  auto add_norm = [&](const std::string& prefix, int64_t& weight, int64_t& bias) {
    weight = add(prefix + (rms ? ".scale" : ".weight"), {C}, false, InitRole::ones);
    bias = rms ? -1 : add(prefix + ".bias", {C}, false, InitRole::zeros);
  };
  // A column-parallel linear: weight rows (and bias) split by `blocks`; decayed weight, zero bias.
  auto add_column_parallel = [&](const std::string& prefix, const RowBlocks& blocks, bool bias, InitRole init,
                                 int64_t& weight_offset, int64_t& bias_offset) {
    const int64_t global_rows = sum_of(blocks.global_rows), local_rows = global_rows / tp;
    weight_offset = add_sharded(prefix + ".weight", {local_rows, C}, {global_rows, C}, row_boxes(blocks, tp, rank, C),
                                true, init);
    bias_offset = bias ? add_sharded(prefix + ".bias", {local_rows}, {global_rows}, row_boxes(blocks, tp, rank, 0),
                                     false, InitRole::zeros)
                       : -1;
  };
  // A row-parallel linear [C, in]: weight columns split; its bias is whole (added after the sum).
  auto add_row_parallel = [&](const std::string& prefix, int64_t local_in, bool bias, InitRole init,
                              int64_t& weight_offset, int64_t& bias_offset) {
    weight_offset = add_sharded(prefix + ".weight", {C, local_in}, {C, local_in * tp},
                                {TensorBox{{0, rank * local_in}, {C, local_in}}}, true, init);
    bias_offset = bias ? add(prefix + ".bias", {C}, false, InitRole::zeros) : -1;
  };
  const RowBlocks vocab{{V * tp}};

  auto add_word_embeddings = [&] {
    return add_sharded("embed.word_embeddings.weight", {V, C}, {V * tp, C}, row_boxes(vocab, tp, rank, C), true,
                       InitRole::init_method);
  };
  skipping_ = !config.first_stage;
  word_embeddings_ = add_word_embeddings();
  if (config.pos_emb == PositionKind::learned) {
    position_embeddings_ = add("embed.position_embeddings.weight", {config.max_position_embeddings, C}, true,
                               InitRole::init_method);
  }
  // GPT-NeoX's QKV rows: head-interleaved (one block) for MHA, [Q | K | V] blocks for GQA.
  const int64_t HS = config.head_size(), NH = config.num_heads * tp, NKV = config.num_kv_heads * tp;
  const RowBlocks qkv = NKV == NH ? RowBlocks{{(NH + 2 * NKV) * HS}} : RowBlocks{{NH * HS, NKV * HS, NKV * HS}};
  const int64_t F2 = config.mlp_linear2_width * tp;
  const RowBlocks linear1 = config.gated() ? RowBlocks{{F2, F2}} : RowBlocks{{F2}};
  layers_.resize(size_t(config.stage_layers()));
  LayerOffsets elsewhere;  // a block of another stage: its keys are counted, nothing is added
  for (int64_t i = 0; i < config.num_layers; ++i) {
    skipping_ = i < config.first_layer || i >= config.first_layer + config.stage_layers();
    LayerOffsets& o = skipping_ ? elsewhere : layers_[size_t(i - config.first_layer)];
    const std::string p = "layers." + std::to_string(i) + ".";
    add_norm(p + "input_layernorm", o.ln1_weight, o.ln1_bias);
    add_column_parallel(p + "attention.query_key_value", qkv, config.attention_bias, InitRole::init_method,
                        o.qkv_weight, o.qkv_bias);
    add_row_parallel(p + "attention.dense", config.attention_width(), config.attention_bias,
                     InitRole::output_layer_init_method, o.dense_weight, o.dense_bias);
    add_norm(p + "post_attention_layernorm", o.ln2_weight, o.ln2_bias);
    add_column_parallel(p + "mlp.linear1", linear1, config.mlp_bias, InitRole::init_method, o.fc1_weight, o.fc1_bias);
    add_row_parallel(p + "mlp.linear2", config.mlp_linear2_width, config.mlp_bias, InitRole::output_layer_init_method,
                     o.fc2_weight, o.fc2_bias);
  }
  skipping_ = !config.last_stage;
  add_norm("final_norm", final_norm_weight_, final_norm_bias_);
  output_weight_ = config.tied_embeddings
                       ? word_embeddings_
                       : add_sharded("final_linear.weight", {V, C}, {V * tp, C}, row_boxes(vocab, tp, rank, C), true,
                                     InitRole::init_method);
  if (config.tied_embeddings && config.last_stage && !config.first_stage) {
    skipping_ = false;
    next_key_ = 0;  // the same draws as the first stage's word embeddings
    output_weight_ = add_word_embeddings();
    tensors_.back().pipe_tied_copy = true;
  }
  skipping_ = false;
}

const TensorSpec* ParamLayout::find(const std::string& name) const {
  for (const TensorSpec& spec : tensors_) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

}  // namespace neox::model
