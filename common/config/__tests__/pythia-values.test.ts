/**
 * Resolved values of shipped configs at world sizes 1 and 8, against numbers worked out by hand
 * from docs/gpt-neox-reference.md: dp = world / (max(pp,1)·tp) (§3.5); global batch = micro·GAS·dp
 * (§3.5, GAS defaults to 1); V_pad = ceil(V / (128·tp))·128·tp (§1.7); lr_decay_iters = the file's
 * value; warmup_iters = warmup·lr_decay_iters (§3.1); precision from fp16.enabled (§3.8).
 */
import test from 'ava';
import { join } from 'node:path';

import { packageRoot } from '../../paths';
import { loadTrain } from './write-configs';

const root = packageRoot();
const pythia = (size: string) => join(root, 'configs', 'pythia', `${size}.yml`);
const neoxFixture = (name: string) => join(root, 'test', 'fixtures', 'neox-configs', name);

interface Expected {
  num_layers: number;
  hidden_size: number;
  num_attention_heads: number;
  head_dim: number;
  train_micro_batch_size_per_gpu: number;
  gradient_accumulation_steps: number;
  train_batch_size: number;
  data_parallel_size: number;
  padded_vocab_size: number;
  lr: number;
  min_lr: number;
  lr_decay_iters: number;
  warmup_iters: number;
  lr_decay_style: string;
  precision: string;
}

function check(file: string, worldSize: number, overrides: string[], expected: Expected) {
  test(`${file.slice(root.length + 1)} at world size ${worldSize}${overrides.length ? ` with ${overrides.join(' ')}` : ''}`, (t) => {
    const { config } = loadTrain([file], { worldSize, overrides });
    const actual = Object.fromEntries(Object.keys(expected).map((key) => [key, (config as unknown as Record<string, unknown>)[key]]));
    t.deepEqual(actual, expected as unknown as Record<string, unknown>);
  });
}

// Pythia-14M: 6 x 128, 4 heads; pp 0 (one stage), tp 1; micro 32, GAS 1; 50277 -> 50304.
const pythia14M = { num_layers: 6, hidden_size: 128, num_attention_heads: 4, head_dim: 32, train_micro_batch_size_per_gpu: 32, gradient_accumulation_steps: 1, padded_vocab_size: 50304, lr: 0.001, min_lr: 0.0001, lr_decay_iters: 143000, warmup_iters: 1430, lr_decay_style: 'cosine', precision: 'fp16' };
check(pythia('14M'), 1, ['tokenizer_vocab_size=50277'], { ...pythia14M, data_parallel_size: 1, train_batch_size: 32 });
check(pythia('14M'), 8, ['tokenizer_vocab_size=50277'], { ...pythia14M, data_parallel_size: 8, train_batch_size: 256 });

// Pythia-70M: 6 x 512, 8 heads (64 each); pp 1, tp 1; micro 32, GAS 1.
const pythia70M = { num_layers: 6, hidden_size: 512, num_attention_heads: 8, head_dim: 64, train_micro_batch_size_per_gpu: 32, gradient_accumulation_steps: 1, padded_vocab_size: 50304, lr: 0.001, min_lr: 0.0001, lr_decay_iters: 143000, warmup_iters: 1430, lr_decay_style: 'cosine', precision: 'fp16' };
check(pythia('70M'), 1, ['tokenizer_vocab_size=50277'], { ...pythia70M, data_parallel_size: 1, train_batch_size: 32 });
check(pythia('70M'), 8, ['tokenizer_vocab_size=50277'], { ...pythia70M, data_parallel_size: 8, train_batch_size: 256 });

// Pythia-1B: 16 x 2048, 8 heads (256 each); micro 4, GAS 4 -> 16 per rank; the fp16 block's
// "type": "bfloat16" is not read, so fp16.
const pythia1B = { num_layers: 16, hidden_size: 2048, num_attention_heads: 8, head_dim: 256, train_micro_batch_size_per_gpu: 4, gradient_accumulation_steps: 4, padded_vocab_size: 50304, lr: 0.00025, min_lr: 0.000025, lr_decay_iters: 143000, warmup_iters: 1430, lr_decay_style: 'cosine', precision: 'fp16' };
check(pythia('1B'), 1, ['tokenizer_vocab_size=50277'], { ...pythia1B, data_parallel_size: 1, train_batch_size: 16 });
check(pythia('1B'), 8, ['tokenizer_vocab_size=50277'], { ...pythia1B, data_parallel_size: 8, train_batch_size: 128 });

// GPT-NeoX's 125M.yml: 12 x 768, 12 heads; micro 4, GAS 1; 320000 steps, warmup 0.01 -> 3200;
// GPT2BPETokenizer (the default) has 50257 entries -> 50304.
const neox125M = { num_layers: 12, hidden_size: 768, num_attention_heads: 12, head_dim: 64, train_micro_batch_size_per_gpu: 4, gradient_accumulation_steps: 1, padded_vocab_size: 50304, lr: 0.0006, min_lr: 0.00006, lr_decay_iters: 320000, warmup_iters: 3200, lr_decay_style: 'cosine', precision: 'fp16' };
check(neoxFixture('125M.yml'), 1, [], { ...neox125M, data_parallel_size: 1, train_batch_size: 4 });
check(neoxFixture('125M.yml'), 8, [], { ...neox125M, data_parallel_size: 8, train_batch_size: 32 });
check(neoxFixture('125M.yml'), 8, ['tokenizer_vocab_size=50277'], { ...neox125M, data_parallel_size: 8, train_batch_size: 32 });
// tp 2: 8 ranks / 2 = dp 4; padding multiple 256: 50277 -> 197 x 256 = 50432.
check(neoxFixture('125M.yml'), 8, ['tokenizer_vocab_size=50277', 'model_parallel_size=2'], { ...neox125M, data_parallel_size: 4, train_batch_size: 16, padded_vocab_size: 50432 });

/** 50277 padded to multiples of 128, 256 and 512 (reference §1.7). */
const PADDED_BY_TP: Record<number, number> = { 1: 50304, 2: 50432, 4: 50688 };

test('Pythia sizes match the reference table (§5.4) for shape, lr, batch and parallelism', (t) => {
  // size: [L, H, heads, lr, min_lr, micro, GAS, tp, zero stage, first attention type]
  const table: Record<string, [number, number, number, number, number, number, number, number, number, string]> = {
    '14M': [6, 128, 4, 1e-3, 1e-4, 32, 1, 1, 0, 'flash'],
    '31M': [6, 256, 8, 1e-3, 1e-4, 32, 1, 1, 0, 'flash'],
    '70M': [6, 512, 8, 1e-3, 1e-4, 32, 1, 1, 1, 'flash'],
    '160M': [12, 768, 12, 6e-4, 6e-5, 32, 1, 1, 1, 'flash'],
    '410M': [24, 1024, 16, 3e-4, 3e-5, 32, 1, 1, 1, 'flash'],
    '1B': [16, 2048, 8, 2.5e-4, 2.5e-5, 4, 4, 1, 0, 'global'],
    '1-4B': [24, 2048, 16, 2e-4, 2e-5, 16, 1, 1, 1, 'flash'],
    '2-8B': [32, 2560, 32, 1.6e-4, 1.6e-5, 8, 2, 1, 1, 'flash'],
    '6-9B': [32, 4096, 32, 1.2e-4, 1.2e-5, 8, 2, 2, 1, 'flash'],
    '12B': [36, 5120, 40, 1.2e-4, 1.2e-5, 8, 2, 4, 1, 'flash'],
  };
  for (const [size, [L, H, heads, lr, minLr, micro, gas, tp, stage, attention]] of Object.entries(table)) {
    const { config } = loadTrain([pythia(size)], { worldSize: 4, overrides: ['tokenizer_vocab_size=50277'] });
    t.deepEqual(
      [config.num_layers, config.hidden_size, config.num_attention_heads, config.lr, config.min_lr, config.train_micro_batch_size_per_gpu, config.gradient_accumulation_steps, config.model_parallel_size, config.zero_stage, config.attention_config[0]],
      [L, H, heads, lr, minLr, micro, gas, tp, stage, attention],
      size,
    );
    t.is(config.attention_config.length, L, size);
    t.is(config.train_iters, 143000, size);
    t.is(config.warmup_iters, 1430, size);
    t.is(config.padded_vocab_size, PADDED_BY_TP[tp], size);
    t.is(config.rotary_pct, 0.25, size);
    t.true(config.gpt_j_residual && config.no_weight_tying && config.bias_gelu_fusion, size);
  }
});

test('Pythia-1B warns that its fp16 type: bfloat16 is not read', (t) => {
  const { warnings } = loadTrain([pythia('1B')], { overrides: ['tokenizer_vocab_size=50277'] });
  t.deepEqual(warnings, [
    `fp16.type 'bfloat16' in ${pythia('1B')} is not read: precision is fp16 (GPT-NeoX derives it from fp16.enabled); to train in bfloat16 set precision: bfloat16 and drop the fp16 block`,
  ]);
});
