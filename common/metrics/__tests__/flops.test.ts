import test from 'ava';

import { ConfigError } from '../../errors';
import { flopsPerToken, matmulParameterCount, modelFlopsPerSecond, modelFlopsUtilization } from '../flops';

// Pythia-70M: L 6, H 512, 8 heads, F = 4H = 2048 (gelu), padded vocab 50304, T 2048.
const pythia70m = { layers: 6, hidden: 512, heads: 8, ffnHidden: 2048, vocab: 50304 };

test('N_matmul for Pythia-70M, by hand', (t) => {
  // per layer: QKV 512·1536 = 786,432; dense 512·512 = 262,144; MLP 2·512·2048 = 2,097,152
  //            sum 3,145,728 (= 12·H²); × 6 layers = 18,874,368
  // output layer 50,304·512 = 25,755,648 → N = 44,630,016
  // Cross-check with gpt-neox-reference.md §1.10: non-embedding params 18,915,328 = 18,874,368
  // + biases and norms (13H per layer · 6 + final LN 2H = 40,960).
  t.is(matmulParameterCount(pythia70m), 44_630_016);
  t.is(18_874_368 + 13 * 512 * 6 + 2 * 512, 18_915_328);
});

test('FLOPs per token for Pythia-70M at T=2048, by hand, and MFU', (t) => {
  // 6·44,630,016 = 267,780,096; 12·6·2048·512 = 75,497,472; total 343,277,568
  const perToken = flopsPerToken({ matmulParameters: 44_630_016, layers: 6, seqLength: 2048, hidden: 512 });
  t.is(perToken, 343_277_568);
  const achieved = modelFlopsPerSecond(perToken, 500); // 500 tok/s
  t.is(achieved, 171_638_784_000);
  t.is(modelFlopsUtilization(achieved, 190e9), 171_638_784_000 / 190e9);
  t.throws(() => modelFlopsUtilization(achieved, 0), { instanceOf: ConfigError, message: /peak FLOP\/s is 0; configure the hardware's peak/ });
});

test('grouped-query attention and a gated MLP change only their own terms', (t) => {
  // Llama-style: L 2, H 256, 8 heads of 32, 2 KV heads, swiglu F 688, V 1000.
  // QKV 256·(256 + 2·64) = 98,304; dense 65,536; MLP 3·256·688 = 528,384 → 692,224 per layer
  // × 2 = 1,384,448; output 256,000 → 1,640,448
  t.is(matmulParameterCount({ layers: 2, hidden: 256, heads: 8, kvHeads: 2, ffnHidden: 688, gatedMlp: true, vocab: 1000 }), 1_640_448);
});

test('inconsistent dimensions name the key', (t) => {
  t.throws(() => matmulParameterCount({ ...pythia70m, heads: 7 }), { instanceOf: ConfigError, message: /hidden_size 512 is not divisible by num_attention_heads 7/ });
  t.throws(() => matmulParameterCount({ ...pythia70m, kvHeads: 3 }), { instanceOf: ConfigError, message: /num_attention_heads 8 is not a multiple of num_kv_heads 3/ });
  t.throws(() => matmulParameterCount({ ...pythia70m, layers: 0 }), { instanceOf: ConfigError, message: 'num_layers is 0; it must be a positive integer' });
  t.throws(() => flopsPerToken({ matmulParameters: 1, layers: 1, seqLength: 0, hidden: 1 }), { message: 'seq_length is 0; it must be a positive integer' });
});
