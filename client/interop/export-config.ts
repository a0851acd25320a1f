/**
 * A neox model configuration as a Hugging Face config.json (reference §6.5, §6.6): which family it
 * is, every field written explicitly, and a refusal naming the neox key that has no equivalent in
 * either GPTNeoXForCausalLM or LlamaForCausalLM.
 *
 * GPTNeoXForCausalLM: norm layernorm, activation gelu (exact; tanh with bias_gelu_fusion), MLP
 *   biases, num_kv_heads = num_attention_heads; rotary_pct, gpt_j_residual and attention biases free.
 * LlamaForCausalLM: norm rmsnorm, activation swiglu, rotary_pct 1, sequential residual; GQA and the
 *   two bias flags free (attention_bias, mlp_bias).
 * Both: pos_emb rotary, no sliding window; tied or untied output layer.
 */
import type { NeoxConfig } from '../../common/config';
import { engineSpecFromConfig } from '../../native/ts/engine-spec';
import { HfConversionError } from './errors';
import type { HfArchitecture, HfModelShape } from './model-shape';

export interface SpecialTokens {
  /** The end-of-document id, used as bos and eos (GPT-NeoX appends it between documents). */
  eod: number;
}

export interface HfExportConfig {
  shape: HfModelShape;
  /** The config.json object. */
  json: Record<string, unknown>;
}

function refuse(key: string, value: unknown, why: string): never {
  throw new HfConversionError(key, `${key} is ${JSON.stringify(value)}, which ${why}`);
}

function architectureOf(spec: ReturnType<typeof engineSpecFromConfig>): HfArchitecture {
  if (spec.pos_emb !== 'rotary') refuse('pos_emb', spec.pos_emb, "neither GPTNeoXForCausalLM nor LlamaForCausalLM has (they use rotary embeddings); only pos_emb 'rotary' models export");
  if (spec.sliding_window_width !== null) refuse('sliding_window_width', spec.sliding_window_width, 'GPTNeoXForCausalLM and LlamaForCausalLM do not have (they attend to every earlier position); remove it to export');
  if (spec.norm === 'layernorm') {
    if (spec.activation !== 'gelu') refuse('activation', spec.activation, "GPTNeoXForCausalLM (norm layernorm) cannot express here; export needs activation 'gelu' with layernorm, or 'swiglu' with rmsnorm (LlamaForCausalLM)");
    if (!spec.use_bias_in_mlp) refuse('use_bias_in_mlp', false, 'GPTNeoXForCausalLM cannot express (its MLP always has biases); set it to true to export a layernorm model');
    if (spec.num_kv_heads !== spec.num_attention_heads) {
      refuse('num_kv_heads', spec.num_kv_heads, `GPTNeoXForCausalLM cannot express (it has one key/value head per query head, ${spec.num_attention_heads}); grouped-query attention exports only with rmsnorm + swiglu (LlamaForCausalLM)`);
    }
    return 'GPTNeoXForCausalLM';
  }
  if (spec.norm === 'rmsnorm') {
    if (spec.activation !== 'swiglu') refuse('activation', spec.activation, "LlamaForCausalLM (norm rmsnorm) cannot express; export needs activation 'swiglu' with rmsnorm, or 'gelu' with layernorm (GPTNeoXForCausalLM)");
    if (spec.rotary_pct !== 1) refuse('rotary_pct', spec.rotary_pct, 'LlamaForCausalLM cannot express (it rotates whole heads); set rotary_pct 1, or use layernorm + gelu (GPTNeoXForCausalLM) for partial rotary');
    if (spec.gpt_j_residual) refuse('gpt_j_residual', true, 'LlamaForCausalLM cannot express (its residual is sequential); set it to false, or use layernorm + gelu (GPTNeoXForCausalLM)');
    return 'LlamaForCausalLM';
  }
  return refuse('norm', spec.norm, "has no Hugging Face equivalent here; export needs 'layernorm' (GPTNeoXForCausalLM) or 'rmsnorm' (LlamaForCausalLM)");
}

/** The HF family, tensor shape and config.json of a resolved neox config. */
export function hfExportConfig(config: NeoxConfig, tokens: SpecialTokens | null): HfExportConfig {
  // The engine's own checks first: a key it does not implement has no export either.
  const spec = engineSpecFromConfig(config, { threads: 1, seed: 0 });
  const architecture = architectureOf(spec);
  const shape: HfModelShape = {
    architecture,
    layers: spec.num_layers,
    hidden: spec.hidden_size,
    heads: spec.num_attention_heads,
    kvHeads: spec.num_kv_heads,
    headDim: spec.hidden_size / spec.num_attention_heads,
    vocab: spec.padded_vocab_size,
    mlpWidth: spec.mlp_linear2_width,
    gated: architecture === 'LlamaForCausalLM',
    attentionBias: spec.use_bias_in_attn_linear,
    mlpBias: spec.use_bias_in_mlp,
    tied: !spec.no_weight_tying,
  };
  const common = {
    architectures: [architecture],
    vocab_size: shape.vocab,
    hidden_size: shape.hidden,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    intermediate_size: shape.mlpWidth,
    max_position_embeddings: spec.max_position_embeddings,
    initializer_range: spec.init_method_std,
    tie_word_embeddings: shape.tied,
    attention_bias: shape.attentionBias,
    attention_dropout: spec.attention_dropout,
    use_cache: true,
    torch_dtype: 'float32',
    ...(tokens ? { bos_token_id: tokens.eod, eos_token_id: tokens.eod } : {}),
  };
  // transformers 5 reads rope_parameters; 4.x reads the legacy fields. Both are written, equal.
  if (architecture === 'GPTNeoXForCausalLM') {
    return {
      shape,
      json: {
        ...common,
        model_type: 'gpt_neox',
        hidden_act: spec.bias_gelu_fusion ? 'gelu_new' : 'gelu',
        hidden_dropout: spec.hidden_dropout,
        layer_norm_eps: spec.layernorm_epsilon,
        use_parallel_residual: spec.gpt_j_residual,
        rotary_pct: spec.rotary_pct,
        rotary_emb_base: spec.rotary_emb_base,
        rope_parameters: { rope_type: 'default', rope_theta: spec.rotary_emb_base, partial_rotary_factor: spec.rotary_pct },
      },
    };
  }
  return {
    shape,
    json: {
      ...common,
      model_type: 'llama',
      hidden_act: 'silu',
      num_key_value_heads: shape.kvHeads,
      head_dim: shape.headDim,
      rms_norm_eps: spec.rms_norm_epsilon,
      mlp_bias: shape.mlpBias,
      pretraining_tp: 1,
      rope_theta: spec.rotary_emb_base,
      rope_scaling: null,
      rope_parameters: { rope_type: 'default', rope_theta: spec.rotary_emb_base },
    },
  };
}
