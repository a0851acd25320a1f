/**
 * Small model configurations for the engine tests, written as GPT-NeoX YAML and loaded through the
 * real config loader, with the matching Hugging Face reference spec (test/oracle/hf_causal_lm.py).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadConfig, type NeoxConfig } from '../../common/config';
import { SafetensorsFile } from '../../common/checkpoint';
import { runOracle } from '../oracle/python';

export type Arch = 'gpt_neox' | 'llama';

export const SEQ = 32;
export const VOCAB = 512;

/** GPTNeoXForCausalLM's shape (Pythia style: parallel residual, LayerNorm, exact GELU, rotary 0.25, untied). */
const GPT_NEOX_KEYS = {
  num_layers: 2, hidden_size: 64, num_attention_heads: 4, seq_length: SEQ, max_position_embeddings: 64,
  pos_emb: 'rotary', rotary_pct: 0.25, rotary_emb_base: 10000, gpt_j_residual: true, no_weight_tying: true,
  norm: 'layernorm', layernorm_epsilon: 1e-5, activation: 'gelu', bias_gelu_fusion: false,
  tokenizer_vocab_size: VOCAB, make_vocab_size_divisible_by: 128,
};

/** LlamaForCausalLM's shape: RMSNorm, SwiGLU (HF intermediate 96 = NeoX intermediate_size 288), GQA 4/2, no biases. */
const LLAMA_KEYS = {
  num_layers: 2, hidden_size: 64, num_attention_heads: 4, num_kv_heads: 2, seq_length: SEQ, max_position_embeddings: 64,
  pos_emb: 'rotary', rotary_pct: 1, rotary_emb_base: 10000, gpt_j_residual: false, no_weight_tying: true,
  norm: 'rmsnorm', rms_norm_epsilon: 1e-5, activation: 'swiglu', intermediate_size: 288,
  use_bias_in_attn_linear: false, use_bias_in_mlp: false, tokenizer_vocab_size: VOCAB, make_vocab_size_divisible_by: 1,
};

export interface TrainingShape {
  micro: number;
  gas: number;
}

/** A resolved config for `arch` with the given batch shape and optimizer settings; `extra` overrides any key. */
export function tinyConfig(arch: Arch, shape: TrainingShape, extra: Record<string, unknown> = {}): NeoxConfig {
  const dir = mkdtempSync(join(tmpdir(), 'neox-model-'));
  try {
    const file = join(dir, 'model.yml');
    writeFileSync(file, JSON.stringify({
      ...(arch === 'gpt_neox' ? GPT_NEOX_KEYS : LLAMA_KEYS),
      train_micro_batch_size_per_gpu: shape.micro, gradient_accumulation_steps: shape.gas,
      optimizer: { type: 'Adam', params: { lr: 1e-3, betas: [0.9, 0.95], eps: 1e-8 } },
      weight_decay: 0.1, gradient_clipping: 1.0, hidden_dropout: 0, attention_dropout: 0,
      train_iters: 20, lr_decay_iters: 20, seed: 1234,
      ...extra,
    }));
    return loadConfig([file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The learning rate of step s in the 20-step runs: linear warmup over 5 steps to 3e-3. */
export function referenceLr(step: number): number {
  return 3e-3 * Math.min(1, (step + 1) / 5);
}

export const REFERENCE_STEPS = 20;
export const REFERENCE_BATCH = 3;
export const TRAIN_SHAPE: TrainingShape = { micro: 2, gas: 2 };

/** Runs the Hugging Face reference for `arch` and returns its tensors (see hf_causal_lm.py). */
export function hfReference(arch: Arch): Map<string, Float32Array | Float64Array | Int32Array> {
  const spec = {
    arch, vocab: VOCAB, hidden: 64, layers: 2, heads: 4, kv_heads: arch === 'llama' ? 2 : 4,
    intermediate: arch === 'llama' ? 96 : 256, rotary_pct: arch === 'llama' ? 1 : 0.25, rope_theta: 10000,
    max_pos: 64, norm_eps: 1e-5, seed: 7, batch: REFERENCE_BATCH, seq: SEQ, steps: REFERENCE_STEPS,
    gas: TRAIN_SHAPE.gas, micro: TRAIN_SHAPE.micro, lrs: Array.from({ length: REFERENCE_STEPS }, (_, s) => referenceLr(s)),
    betas: [0.9, 0.95], adam_eps: 1e-8, weight_decay: 0.1, clip: 1.0,
  };
  const dir = mkdtempSync(join(tmpdir(), 'neox-hf-'));
  try {
    const path = join(dir, 'reference.safetensors');
    runOracle('hf_causal_lm.py', [JSON.stringify(spec), path]);
    const file = new SafetensorsFile(path);
    try {
      const out = new Map<string, Float32Array | Float64Array | Int32Array>();
      for (const name of file.tensors.keys()) out.set(name, file.read(name) as Float32Array | Float64Array | Int32Array);
      return out;
    } finally {
      file.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** max |a − b| / max |b|: the error relative to the reference's scale. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 1e-30;
  for (let i = 0; i < actual.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / scale;
}

/** Rows [from, to) of a (rows, width) Int32Array. */
export function rowsOf(data: Int32Array, width: number, from: number, to: number): Int32Array {
  return data.slice(from * width, to * width);
}

/** The first `keep` ids of each row of width `width`. */
export function leadingColumns(data: Int32Array, width: number, keep: number): Int32Array {
  const rows = data.length / width;
  const out = new Int32Array(rows * keep);
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * width, r * width + keep), r * keep);
  return out;
}
