/**
 * A small corpus and GPT-NeoX YAML config for tests of whole runs on the native engine: a tiny
 * Pythia-style model over a character-level corpus that `neox train` preprocesses on first run.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadConfig, type NeoxConfig } from '../../../common/config';

/** Deterministic pseudo-English documents (a linear congruential word picker). */
export function syntheticCorpus(documents: number, wordsPerDocument: number): string {
  const words = ['the', 'sun', 'doth', 'shine', 'upon', 'thy', 'fair', 'face', 'and', 'summer', 'rose', 'of', 'time', 'love', 'eyes', 'night'];
  let state = 12345;
  const lines: string[] = [];
  for (let d = 0; d < documents; d++) {
    const text: string[] = [];
    for (let w = 0; w < wordsPerDocument; w++) {
      state = (state * 1103515245 + 12345) % 2147483648;
      text.push(words[state % words.length]!);
    }
    lines.push(JSON.stringify({ text: `${text.join(' ')}.\n` }));
  }
  return `${lines.join('\n')}\n`;
}

export interface RunFixture {
  dir: string;
  configFile: string;
  /** Resolves the fixture's config with extra keys (YAML values). */
  config(overrides?: Record<string, unknown>): NeoxConfig;
}

/** Keys of the tiny model; `extra` replaces any of them. */
export function createRunFixture(extra: Record<string, unknown> = {}): RunFixture {
  const dir = mkdtempSync(join(tmpdir(), 'neox-run-'));
  mkdirSync(join(dir, 'raw'));
  writeFileSync(join(dir, 'raw', 'corpus.jsonl'), syntheticCorpus(60, 40));
  const keys: Record<string, unknown> = {
    num_layers: 2, hidden_size: 64, num_attention_heads: 4, seq_length: 32, max_position_embeddings: 32,
    pos_emb: 'rotary', rotary_pct: 0.25, gpt_j_residual: true, no_weight_tying: true, norm: 'layernorm',
    activation: 'gelu', tokenizer_type: 'CharLevelTokenizer',
    data_preprocess: { input: join(dir, 'raw', 'corpus.jsonl') },
    data_path: join(dir, 'data', 'corpus_text_document'), split: '90,10,0',
    optimizer: { type: 'Adam', params: { lr: 0.003, betas: [0.9, 0.95], eps: 1e-8 } },
    min_lr: 0.0003, lr_decay_style: 'cosine', warmup: 0.1, weight_decay: 0.1, gradient_clipping: 1.0,
    hidden_dropout: 0.1, attention_dropout: 0.1,
    train_micro_batch_size_per_gpu: 2, gradient_accumulation_steps: 2, train_iters: 8, lr_decay_iters: 8,
    eval_interval: 2, eval_iters: 1, log_interval: 1, seed: 7, actor_threads: 1, checkpoint_factor: 1000,
    ...extra,
  };
  const configFile = join(dir, 'run.yml');
  writeFileSync(configFile, JSON.stringify(keys, null, 1));
  return {
    dir,
    configFile,
    config: (overrides = {}) => loadConfig([configFile], {
      purpose: 'train',
      overrides: Object.entries(overrides).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
      onWarning: () => {},
    }),
  };
}
