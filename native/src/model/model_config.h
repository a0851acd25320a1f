// What the native model and trainer need from a resolved GPT-NeoX configuration (reference §1,
// §2, §3.3–3.6). Field comments name the config key each comes from; the parse_* functions turn
// the config's strings into enums and name the key, the value and the choices when they refuse
// one, so every error reads in the user's vocabulary.
#pragma once

#include <cstdint>
#include <string>

namespace neox::model {

enum class NormKind { layernorm, rmsnorm };
enum class PositionKind { rotary, learned, none };
// gelu: exact erf form; gelu_tanh: the tanh approximation (bias_gelu_fusion); swiglu: gated.
enum class MlpActivation { gelu, gelu_tanh, swiglu };
// reference §1.8
enum class InitMethod { normal, scaled_normal, single_residual_scaled_normal, small_init, wang_init, xavier_normal,
                        xavier_uniform };

struct ModelConfig {
  int64_t num_layers = 0;               // num_layers (L)
  int64_t hidden_size = 0;              // hidden_size (C)
  int64_t num_heads = 0;                // num_attention_heads (NH)
  int64_t num_kv_heads = 0;             // num_kv_heads (NKV; = NH for plain multi-head)
  int64_t seq_length = 0;               // seq_length (S, the training length)
  int64_t max_position_embeddings = 0;  // max_position_embeddings (learned table rows, longest input)
  int64_t vocab_size = 0;               // padded_vocab_size (V)
  int64_t mlp_linear1_width = 0;        // derived mlp_linear1_width (gated: both halves)
  int64_t mlp_linear2_width = 0;        // derived mlp_linear2_width
  MlpActivation activation = MlpActivation::gelu;   // activation + bias_gelu_fusion
  NormKind norm = NormKind::layernorm;               // norm
  double norm_eps = 1e-5;                            // layernorm_epsilon or rms_norm_epsilon
  PositionKind pos_emb = PositionKind::learned;      // pos_emb
  double rotary_pct = 1.0;                           // rotary_pct
  double rotary_base = 10000;                        // rotary_emb_base
  int64_t position_offset = 0;                       // opt_pos_emb_offset (learned positions)
  bool parallel_residual = false;                    // gpt_j_residual
  bool tied_embeddings = true;                       // !no_weight_tying
  bool attention_bias = true;                        // use_bias_in_attn_linear
  bool mlp_bias = true;                              // use_bias_in_mlp
  double hidden_dropout = 0;                         // hidden_dropout
  double attention_dropout = 0;                      // attention_dropout
  int64_t sliding_window = -1;                       // sliding_window_width (−1: unset)
  InitMethod init_method = InitMethod::normal;                      // init_method
  InitMethod output_init_method = InitMethod::scaled_normal;        // output_layer_init_method
  double init_std = 0.02;                                           // init_method_std
  bool checkpoint_activations = false;               // checkpoint_activations (per layer)
  // Tensor parallelism (model_parallel_size): a rank's shard of the model is described by a
  // config whose num_heads, num_kv_heads, mlp widths and vocab_size are this rank's local counts
  // (tensor_parallel_shard); hidden_size and everything else stay global.
  int64_t tp_size = 1;
  int64_t tp_rank = 0;
  // Pipeline parallelism (pipe_parallel_size): a stage holds blocks [first_layer, first_layer +
  // stage_layers()) of the num_layers (which stays global), the embedding on the first stage and
  // the final norm and output layer on the last (pipeline_stage). Defaults: the whole model.
  int64_t first_layer = 0;
  int64_t layer_count = -1;  // −1: every layer
  bool first_stage = true, last_stage = true;

  int64_t stage_layers() const { return layer_count < 0 ? num_layers : layer_count; }

  int64_t head_size() const { return hidden_size / (num_heads * tp_size); }
  // Width of the attention output (the dense layer's input): hidden_size unless sharded.
  int64_t attention_width() const { return num_heads * head_size(); }
  // The shard's first token id and the whole vocabulary (padded_vocab_size).
  int64_t vocab_begin() const { return tp_rank * vocab_size; }
  int64_t global_vocab() const { return vocab_size * tp_size; }
  int64_t qkv_width() const { return (num_heads + 2 * num_kv_heads) * head_size(); }
  bool gated() const { return activation == MlpActivation::swiglu; }
  // Width of the activation's output (the second linear's input).
  int64_t mlp_hidden_width() const { return gated() ? mlp_linear1_width / 2 : mlp_linear1_width; }
  // Rows of the rotary cos/sin tables: every position an input may have.
  int64_t position_count() const { return seq_length > max_position_embeddings ? seq_length : max_position_embeddings; }

  // Throws InvalidArgument naming the config key when a value is out of range or inconsistent.
  void validate() const;
  // Rank `rank`'s shard of this (whole-model) config over `size` tensor-parallel ranks: heads,
  // kv heads, MLP widths (each gated half) and the vocabulary divided by `size`. Throws naming the
  // key that `size` (model_parallel_size) does not divide.
  ModelConfig tensor_parallel_shard(int64_t size, int64_t rank) const;
  // This config restricted to one pipeline stage: blocks [first, first + count).
  ModelConfig pipeline_stage(int64_t first, int64_t count, bool first_stage, bool last_stage) const;
};

// The optimizer step (reference §3.3–3.6).
struct TrainingConfig {
  int64_t micro_batch = 1;               // train_micro_batch_size_per_gpu
  int64_t gradient_accumulation = 1;     // gradient_accumulation_steps
  double beta1 = 0.9, beta2 = 0.999;     // optimizer.params.betas
  double eps = 1e-8;                     // optimizer.params.eps
  double weight_decay = 0.1;             // weight_decay (top level)
  double gradient_clipping = 1.0;        // gradient_clipping (0 = off)

  void validate() const;
};

NormKind parse_norm(const std::string& value);
PositionKind parse_position(const std::string& value);
MlpActivation parse_activation(const std::string& value, bool bias_gelu_fusion);
InitMethod parse_init_method(const std::string& key, const std::string& value);
const char* init_method_name(InitMethod method);

}  // namespace neox::model
