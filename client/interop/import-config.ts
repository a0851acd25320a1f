/**
 * A Hugging Face config.json as GPT-NeoX model keys (the inverse of export-config.ts), for
 * GPTNeoXForCausalLM and LlamaForCausalLM. Fields are read with the defaults transformers itself
 * applies when they are absent; a field whose value neox cannot represent is refused by name.
 */
import { HfConversionError } from './errors';
import type { HfArchitecture } from './model-shape';

/** GPT-NeoX config keys (underscore form) of the model, for a YAML file or the loader. */
export type NeoxModelKeys = Record<string, unknown>;

export interface ImportedConfig {
  architecture: HfArchitecture;
  keys: NeoxModelKeys;
  tied: boolean;
}

type Json = Record<string, unknown>;

function refuse(field: string, value: unknown, why: string): never {
  throw new HfConversionError(field, `config.json field ${field} is ${JSON.stringify(value)}, ${why}`);
}

function int(json: Json, field: string, fallback?: number): number {
  const value = json[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) refuse(field, value, 'expected a positive integer');
  return value;
}

function num(json: Json, field: string, fallback: number): number {
  const value = json[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) refuse(field, value, 'expected a non-negative number');
  return value;
}

function bool(json: Json, field: string, fallback: boolean): boolean {
  const value = json[field] ?? fallback;
  if (typeof value !== 'boolean') refuse(field, value, 'expected true or false');
  return value;
}

/** rope_theta and the rotated fraction: rope_parameters (transformers 5) or the legacy fields; only plain RoPE. */
function rotary(json: Json, legacyTheta: string, legacyFraction: string | null, defaultFraction: number): { base: number; pct: number } {
  const scaling = json.rope_scaling as Json | null | undefined;
  const params = (json.rope_parameters ?? scaling ?? {}) as Json;
  const type = params.rope_type ?? params.type ?? 'default';
  if (type !== 'default') {
    refuse(json.rope_parameters ? 'rope_parameters.rope_type' : 'rope_scaling.rope_type', type, "but neox implements plain rotary embeddings only ('default'); scaled RoPE variants cannot be imported");
  }
  const base = params.rope_theta ?? json[legacyTheta] ?? json.rope_theta ?? 10000;
  if (typeof base !== 'number' || !Number.isSafeInteger(base) || base < 1) {
    refuse('rope_theta', base, 'but neox keeps rotary_emb_base as a positive integer (GPT-NeoX does); this base cannot be represented');
  }
  const pct = params.partial_rotary_factor ?? (legacyFraction !== null ? json[legacyFraction] : undefined) ?? json.partial_rotary_factor ?? defaultFraction;
  if (typeof pct !== 'number' || !(pct > 0 && pct <= 1)) refuse('partial_rotary_factor', pct, 'expected a fraction in (0, 1]');
  return { base, pct };
}

/** hidden_act of GPTNeoXForCausalLM → activation and bias_gelu_fusion (which selects tanh GELU). */
function gelu(json: Json): { activation: string; bias_gelu_fusion: boolean } {
  const act = json.hidden_act ?? 'gelu';
  if (act === 'gelu') return { activation: 'gelu', bias_gelu_fusion: false };
  if (act === 'gelu_new' || act === 'gelu_pytorch_tanh' || act === 'gelu_fast') return { activation: 'gelu', bias_gelu_fusion: true };
  return refuse('hidden_act', act, "but the neox engine's GPT-NeoX MLP has GELU only (exact 'gelu' or the tanh forms 'gelu_new', 'gelu_pytorch_tanh', 'gelu_fast')");
}

function checkHeadDim(json: Json, hidden: number, heads: number): void {
  const headDim = json.head_dim;
  if (headDim !== undefined && headDim !== null && headDim !== hidden / heads) {
    refuse('head_dim', headDim, `but neox requires head_dim = hidden_size / num_attention_heads = ${hidden / heads}`);
  }
}

function gptNeox(json: Json): ImportedConfig {
  const hidden = int(json, 'hidden_size');
  const heads = int(json, 'num_attention_heads');
  const { base, pct } = rotary(json, 'rotary_emb_base', 'rotary_pct', 0.25);
  const tied = bool(json, 'tie_word_embeddings', false);
  return {
    architecture: 'GPTNeoXForCausalLM',
    tied,
    keys: {
      num_layers: int(json, 'num_hidden_layers'),
      hidden_size: hidden,
      num_attention_heads: heads,
      intermediate_size: int(json, 'intermediate_size'),
      max_position_embeddings: int(json, 'max_position_embeddings', 2048),
      pos_emb: 'rotary',
      rotary_pct: pct,
      rotary_emb_base: base,
      norm: 'layernorm',
      layernorm_epsilon: num(json, 'layer_norm_eps', 1e-5),
      ...gelu(json),
      gpt_j_residual: bool(json, 'use_parallel_residual', true),
      use_bias_in_attn_linear: bool(json, 'attention_bias', true),
      use_bias_in_mlp: true,
      no_weight_tying: !tied,
      hidden_dropout: num(json, 'hidden_dropout', 0),
      attention_dropout: num(json, 'attention_dropout', 0),
      init_method_std: num(json, 'initializer_range', 0.02),
    },
  };
}

function llama(json: Json): ImportedConfig {
  const hidden = int(json, 'hidden_size');
  const heads = int(json, 'num_attention_heads');
  checkHeadDim(json, hidden, heads);
  const act = json.hidden_act ?? 'silu';
  if (act !== 'silu') refuse('hidden_act', act, "but neox's gated MLP is SwiGLU (LlamaForCausalLM's 'silu')");
  const { base, pct } = rotary(json, 'rope_theta', null, 1);
  if (pct !== 1) refuse('partial_rotary_factor', pct, 'but LlamaForCausalLM rotates whole heads in neox; only 1 imports');
  const tied = bool(json, 'tie_word_embeddings', false);
  const intermediate = int(json, 'intermediate_size');
  return {
    architecture: 'LlamaForCausalLM',
    tied,
    keys: {
      num_layers: int(json, 'num_hidden_layers'),
      hidden_size: hidden,
      num_attention_heads: heads,
      num_kv_heads: int(json, 'num_key_value_heads', heads),
      // GPT-NeoX's gated width rule (reference §2.2): 3·I gives linear1 2·I ([up; gate]) and linear2 I.
      intermediate_size: 3 * intermediate,
      mlp_multiple_of: 1,
      max_position_embeddings: int(json, 'max_position_embeddings', 2048),
      pos_emb: 'rotary',
      rotary_pct: 1,
      rotary_emb_base: base,
      norm: 'rmsnorm',
      rms_norm_epsilon: num(json, 'rms_norm_eps', 1e-6),
      activation: 'swiglu',
      gpt_j_residual: false,
      use_bias_in_attn_linear: bool(json, 'attention_bias', false),
      use_bias_in_mlp: bool(json, 'mlp_bias', false),
      no_weight_tying: !tied,
      hidden_dropout: 0,
      attention_dropout: num(json, 'attention_dropout', 0),
      init_method_std: num(json, 'initializer_range', 0.02),
    },
  };
}

const IMPORTERS: Record<string, (json: Json) => ImportedConfig> = { gpt_neox: gptNeox, llama };

/** The neox model keys of a config.json (`path` only names it in errors). */
export function importConfig(json: Json, path: string): ImportedConfig {
  const type = json.model_type;
  const importer = typeof type === 'string' ? IMPORTERS[type] : undefined;
  if (!importer) {
    throw new HfConversionError(
      'model_type',
      `${path}: model_type ${JSON.stringify(type)} (architectures ${JSON.stringify(json.architectures ?? null)}) cannot be imported; ` +
        "neox imports GPTNeoXForCausalLM ('gpt_neox') and LlamaForCausalLM ('llama')",
    );
  }
  const imported = importer(json);
  const vocab = int(json, 'vocab_size');
  // The embedding rows are HF's vocab_size exactly (already padded by whoever trained the model).
  Object.assign(imported.keys, { tokenizer_vocab_size: vocab, make_vocab_size_divisible_by: 1 });
  return imported;
}
