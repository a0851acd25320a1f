#include "engine_spec.h"

#include <cmath>
#include <string>

namespace neox::binding {

namespace {

class SpecReader {
 public:
  explicit SpecReader(const Napi::Object& spec) : spec_(spec) {}

  double number(const char* key) {
    Napi::Value value = spec_.Get(key);
    if (!value.IsNumber() || !std::isfinite(value.As<Napi::Number>().DoubleValue())) fail(key, "a finite number");
    return value.As<Napi::Number>().DoubleValue();
  }
  int64_t integer(const char* key) {
    const double value = number(key);
    if (value != std::floor(value) || std::fabs(value) > 9007199254740991.0) fail(key, "an integer");
    return int64_t(value);
  }
  // null → fallback
  int64_t nullable_integer(const char* key, int64_t fallback) {
    return spec_.Get(key).IsNull() ? fallback : integer(key);
  }
  bool boolean(const char* key) {
    Napi::Value value = spec_.Get(key);
    if (!value.IsBoolean()) fail(key, "a boolean");
    return value.As<Napi::Boolean>().Value();
  }
  std::string string(const char* key) {
    Napi::Value value = spec_.Get(key);
    if (!value.IsString()) fail(key, "a string");
    return value.As<Napi::String>().Utf8Value();
  }

 private:
  [[noreturn]] void fail(const char* key, const char* what) {
    throw Napi::TypeError::New(spec_.Env(), std::string("createEngine: spec.") + key + " must be " + what +
                                                 " (build the spec with engineSpecFromConfig)");
  }
  Napi::Object spec_;
};

}  // namespace

EngineSpec read_engine_spec(const Napi::Object& object) {
  SpecReader r(object);
  EngineSpec spec;
  model::ModelConfig& m = spec.model;
  m.num_layers = r.integer("num_layers");
  m.hidden_size = r.integer("hidden_size");
  m.num_heads = r.integer("num_attention_heads");
  m.num_kv_heads = r.integer("num_kv_heads");
  m.seq_length = r.integer("seq_length");
  m.max_position_embeddings = r.integer("max_position_embeddings");
  m.vocab_size = r.integer("padded_vocab_size");
  m.mlp_linear1_width = r.integer("mlp_linear1_width");
  m.mlp_linear2_width = r.integer("mlp_linear2_width");
  m.activation = model::parse_activation(r.string("activation"), r.boolean("bias_gelu_fusion"));
  m.norm = model::parse_norm(r.string("norm"));
  m.norm_eps = r.number(m.norm == model::NormKind::layernorm ? "layernorm_epsilon" : "rms_norm_epsilon");
  m.pos_emb = model::parse_position(r.string("pos_emb"));
  m.rotary_pct = r.number("rotary_pct");
  m.rotary_base = r.number("rotary_emb_base");
  m.position_offset = r.integer("opt_pos_emb_offset");
  m.parallel_residual = r.boolean("gpt_j_residual");
  m.tied_embeddings = !r.boolean("no_weight_tying");
  m.attention_bias = r.boolean("use_bias_in_attn_linear");
  m.mlp_bias = r.boolean("use_bias_in_mlp");
  m.hidden_dropout = r.number("hidden_dropout");
  m.attention_dropout = r.number("attention_dropout");
  m.sliding_window = r.nullable_integer("sliding_window_width", -1);
  m.init_method = model::parse_init_method("init_method", r.string("init_method"));
  m.output_init_method = model::parse_init_method("output_layer_init_method", r.string("output_layer_init_method"));
  m.init_std = r.number("init_method_std");
  m.checkpoint_activations = r.boolean("checkpoint_activations");

  model::TrainingConfig& t = spec.training;
  t.micro_batch = r.integer("train_micro_batch_size_per_gpu");
  t.gradient_accumulation = r.integer("gradient_accumulation_steps");
  t.beta1 = r.number("adam_beta1");
  t.beta2 = r.number("adam_beta2");
  t.eps = r.number("adam_eps");
  t.weight_decay = r.number("weight_decay");
  t.gradient_clipping = r.number("gradient_clipping");

  model::ParallelConfig& p = spec.parallel;
  p.dims.tp = int(r.integer("model_parallel_size"));
  p.dims.pp = int(r.integer("pipeline_stages"));
  p.dims.dp = int(r.integer("data_parallel_size"));
  p.zero_stage = int(r.integer("zero_stage"));
  p.reduce_bucket_elements = r.integer("reduce_bucket_size");
  p.overlap_comm = r.boolean("overlap_comm");
  p.partition_method = r.string("pipe_partition_method");

  const int64_t seed = r.integer("seed");
  if (seed < 0) throw Napi::TypeError::New(object.Env(), "createEngine: spec.seed must be an integer >= 0");
  spec.seed = uint64_t(seed);
  const int64_t threads = r.integer("threads");
  if (threads < 0 || threads > 4096) {
    throw Napi::TypeError::New(object.Env(), "createEngine: spec.threads must be an integer in [0, 4096] (0 = all cores)");
  }
  spec.threads = int(threads);
  return spec;
}

}  // namespace neox::binding
