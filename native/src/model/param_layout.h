// Where every parameter lives in the model's one flat fp32 buffer, under its global name. The
// same layout indexes the gradient buffer and the two AdamW moment buffers.
//
// Names (close to GPT-NeoX's module names; i = 0 … L−1; shapes PyTorch-style [out, in]):
//   embed.word_embeddings.weight                         [V, C]
//   embed.position_embeddings.weight                     [max_position_embeddings, C]  (pos_emb learned)
//   layers.{i}.input_layernorm.weight | .bias            [C]   (rmsnorm: .scale only)
//   layers.{i}.attention.query_key_value.weight | .bias  [(NH + 2·NKV)·HS, C]   GPT-NeoX's QKV layout:
//        head-interleaved [q_h; k_h; v_h] when NKV = NH, blocks [Q | K | V] when NKV < NH (qkv_layout.h)
//   layers.{i}.attention.dense.weight | .bias            [C, C]
//   layers.{i}.post_attention_layernorm.weight | .bias   [C]   (rmsnorm: .scale only)
//   layers.{i}.mlp.linear1.weight | .bias                [F1, C]  (swiglu: rows [up; gate])
//   layers.{i}.mlp.linear2.weight | .bias                [C, F2]
//   final_norm.weight | .bias                            [C]   (rmsnorm: final_norm.scale)
//   final_linear.weight                                  [V, C]  (absent when tied: the output layer
//                                                                 reads embed.word_embeddings.weight)
// Biases exist only when use_bias_in_attn_linear / use_bias_in_mlp say so.
//
// Tensor parallelism (config.tp_size > 1, Megatron's split): a rank holds the shard of each tensor
// its config describes; `shape` is the local shape, `global_shape` the whole tensor's, and
// `boxes` the slices of the global tensor the local one is made of, concatenated along dim 0:
//   column-parallel (rows split): word embeddings, final_linear (vocabulary shard), QKV weight and
//     bias (MHA: the rank's heads, one box; GQA: its Q, K and V rows, three boxes), mlp.linear1
//     weight and bias (SwiGLU: its up and gate rows, two boxes)
//   row-parallel (columns split): attention.dense.weight, mlp.linear2.weight (one box)
//   replicated (tp_replicated, one whole box): norms, dense and linear2 biases, position embeddings
// Without tensor parallelism every tensor is one whole box.
//
// Pipeline parallelism (config.first_layer, layer_count, first_stage, last_stage): a stage's
// layout holds the embeddings on the first stage, its blocks (layer(…, i) counts from the stage's
// first block; names stay global), and the final norm and final_linear on the last; with tied
// embeddings the last stage holds its own copy of embed.word_embeddings.weight (pipe_tied_copy)
// as the output layer, kept equal to the first stage's by summing their gradients. Decay (reference §1.9):
// every parameter except biases and norm parameters. Each tensor starts at a multiple of 16
// elements (64 bytes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/model_config.h"

namespace neox::model {

// How a tensor is initialized (reference §1.8).
enum class InitRole { init_method, output_layer_init_method, zeros, ones };

// A slice [start, start + shape) of a global tensor.
struct TensorBox {
  std::vector<int64_t> start, shape;
};

struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;         // local
  std::vector<int64_t> global_shape;
  std::vector<TensorBox> boxes;       // local = boxes concatenated along dim 0
  bool tp_replicated = true;          // every tensor-parallel rank holds the whole tensor
  bool pipe_tied_copy = false;        // the last pipeline stage's copy of the tied word embeddings
  int64_t init_key = 0;               // the tensor's index in the whole model's layout (param_init.h)
  int64_t offset = 0;  // elements from the start of the flat buffer
  int64_t numel = 0;
  bool decay = false;
  InitRole init = InitRole::zeros;
  int64_t fan_in = 0, fan_out = 0;  // for the xavier initializations
};

// Offsets of one block's tensors; −1 for tensors this configuration does not have.
struct LayerOffsets {
  int64_t ln1_weight = -1, ln1_bias = -1, qkv_weight = -1, qkv_bias = -1, dense_weight = -1, dense_bias = -1;
  int64_t ln2_weight = -1, ln2_bias = -1, fc1_weight = -1, fc1_bias = -1, fc2_weight = -1, fc2_bias = -1;
};

// A block's tensors resolved against one flat buffer (parameters or gradients); null = absent.
template <typename T>
struct LayerTensors {
  T *ln1_weight, *ln1_bias, *qkv_weight, *qkv_bias, *dense_weight, *dense_bias;
  T *ln2_weight, *ln2_bias, *fc1_weight, *fc1_bias, *fc2_weight, *fc2_bias;
};

class ParamLayout {
 public:
  explicit ParamLayout(const ModelConfig& config);

  const std::vector<TensorSpec>& tensors() const { return tensors_; }
  int64_t total_elements() const { return total_; }
  // The tensor called `name`, or null.
  const TensorSpec* find(const std::string& name) const;

  int64_t word_embeddings() const { return word_embeddings_; }
  int64_t position_embeddings() const { return position_embeddings_; }  // −1 unless learned
  int64_t final_norm_weight() const { return final_norm_weight_; }
  int64_t final_norm_bias() const { return final_norm_bias_; }           // −1 for rmsnorm
  int64_t output_weight() const { return output_weight_; }               // = word_embeddings() when tied
  // Offset of the stage's block `index`'s first tensor (its tensors are contiguous, in layer order).
  int64_t layer_begin(int64_t index) const { return layers_[size_t(index)].ln1_weight; }

  template <typename T>
  LayerTensors<T> layer(T* base, int64_t index) const {
    const LayerOffsets& o = layers_[size_t(index)];
    auto at = [base](int64_t offset) { return offset < 0 ? nullptr : base + offset; };
    return {at(o.ln1_weight), at(o.ln1_bias), at(o.qkv_weight), at(o.qkv_bias), at(o.dense_weight), at(o.dense_bias),
            at(o.ln2_weight), at(o.ln2_bias), at(o.fc1_weight), at(o.fc1_bias), at(o.fc2_weight), at(o.fc2_bias)};
  }
  template <typename T>
  static T* at(T* base, int64_t offset) { return offset < 0 ? nullptr : base + offset; }

 private:
  // A replicated tensor (one whole box).
  int64_t add(const std::string& name, std::vector<int64_t> shape, bool decay, InitRole init);
  // A sharded tensor: its boxes and global shape. Both return −1 (and only count the tensor's
  // init key) while skipping_ (a tensor of another pipeline stage).
  int64_t add_sharded(const std::string& name, std::vector<int64_t> shape, std::vector<int64_t> global_shape,
                      std::vector<TensorBox> boxes, bool decay, InitRole init);
  bool skipping_ = false;
  int64_t next_key_ = 0;

  std::vector<TensorSpec> tensors_;
  std::vector<LayerOffsets> layers_;
  int64_t total_ = 0;
  int64_t word_embeddings_ = -1, position_embeddings_ = -1, final_norm_weight_ = -1, final_norm_bias_ = -1;
  int64_t output_weight_ = -1;
};

}  // namespace neox::model
