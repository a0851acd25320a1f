/**
 * The tiny model and fixed data every layout test trains: one config (GPT-NeoX keys, loaded by the
 * real config loader with the layout's world size) and a deterministic in-memory token source.
 * The global batch is fixed (4 sequences per step: gradient_accumulation_steps = 4 / (micro 1 × dp)),
 * so every layout sees the same samples each step.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadConfig, type NeoxConfig } from '../../common/config';
import type { SampleSource } from '../../common/data';

export interface Layout {
  dp: number;
  tp: number;
  pp: number;
}

export interface LayoutRunSpec {
  layout: Layout;
  zeroStage: number;
  steps: number;
  /** zero_optimization.overlap_comm */
  overlap: boolean;
  /** Any further config keys (e.g. a larger model for the benchmark). */
  extra: Record<string, unknown>;
  /** Save a checkpoint into `dir` once `afterSteps` steps are done. */
  save: { dir: string; afterSteps: number } | null;
  /** Start from the latest checkpoint in `dir` (and continue to `steps`). */
  load: { dir: string } | null;
  /** Before step `beforeStep`, world rank `rank` overwrites parameter `tensor` with NaN. */
  poison: { rank: number; beforeStep: number; tensor: string } | null;
}

export const SEQ = 16;
export const VOCAB = 128;
export const GLOBAL_BATCH = 4;

export function layoutName(layout: Layout): string {
  return `(${layout.dp},${layout.tp},${layout.pp})`;
}

export function layoutConfig(spec: LayoutRunSpec): NeoxConfig {
  const { layout } = spec;
  const dir = mkdtempSync(join(tmpdir(), 'neox-dist-'));
  try {
    const file = join(dir, 'tiny.yml');
    writeFileSync(file, JSON.stringify({
      num_layers: 2, hidden_size: 32, num_attention_heads: 4, seq_length: SEQ, max_position_embeddings: SEQ,
      pos_emb: 'rotary', rotary_pct: 0.25, gpt_j_residual: true, no_weight_tying: true, norm: 'layernorm',
      activation: 'gelu', tokenizer_vocab_size: VOCAB, make_vocab_size_divisible_by: 1,
      train_batch_size: GLOBAL_BATCH, train_micro_batch_size_per_gpu: 1, gradient_accumulation_steps: GLOBAL_BATCH / layout.dp,
      optimizer: { type: 'Adam', params: { lr: 1e-3, betas: [0.9, 0.95], eps: 1e-8 } },
      weight_decay: 0.1, gradient_clipping: 1.0, hidden_dropout: 0, attention_dropout: 0,
      train_iters: spec.steps, lr_decay_iters: spec.steps, seed: 1234,
      model_parallel_size: layout.tp, pipe_parallel_size: layout.pp,
      // Small buckets: several per step, so the overlap and the per-bucket shards are exercised.
      zero_optimization: { stage: spec.zeroStage, overlap_comm: spec.overlap, reduce_bucket_size: 4000 },
      ...spec.extra,
    }));
    return loadConfig([file], { worldSize: layout.dp * layout.tp * layout.pp });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sample i: SEQ + 1 ids from a fixed integer hash (no two layouts can disagree on it). */
export class FixedTokens implements SampleSource {
  readonly name = 'fixed tokens';
  readonly length = 1 << 16;
  constructor(readonly seqLength: number, private readonly vocab: number) {}

  getSampleInto(index: number, out: Int32Array): void {
    for (let t = 0; t <= this.seqLength; t++) {
      let h = Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(t + 1, 0x85ebca6b);
      h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
      h ^= h >>> 12;
      out[t] = (h >>> 0) % this.vocab;
    }
  }

  getSample(index: number): Int32Array {
    const out = new Int32Array(this.seqLength + 1);
    this.getSampleInto(index, out);
    return out;
  }
}

/** The learning rate of step s: short linear warmup to 3e-3 (non-trivial Adam steps from the start). */
export function layoutLr(step: number): number {
  return 3e-3 * Math.min(1, (step + 1) / 3);
}
