/**
 * The engine's JS surface: the event loop keeps running during a step, checkpoints (every tensor
 * plus the optimizer step) resume bitwise, the loss mask weights targets, non-finite steps are
 * skipped and reported, and bad input is refused with typed errors and exact messages.
 */
import test from 'ava';

import { NativeInvalidArgumentError } from '../../native/ts/errors';
import { createEngine } from '../../native/ts/native';
import { leadingColumns, SEQ, tinyConfig, VOCAB } from './tiny-models';

function randomTokens(rows: number, seed: number, width = SEQ + 1): Int32Array {
  let state = seed;
  return Int32Array.from({ length: rows * width }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % VOCAB;
  });
}

test.serial('a training step runs off the event loop: a 10 ms timer keeps firing', async (t) => {
  const config = tinyConfig('gpt_neox', { micro: 8, gas: 1 }, { hidden_size: 256, num_layers: 6, seq_length: 256, max_position_embeddings: 256 });
  const engine = await createEngine(config, { threads: null, seed: null });
  t.teardown(() => engine.close());
  const tokens = randomTokens(8, 1, 257);
  await engine.trainStep(tokens, null, 1e-3, 0); // warm-up: allocates the workspace
  const ticks: number[] = [];
  const timer = setInterval(() => ticks.push(performance.now()), 10);
  const started = performance.now();
  const result = await engine.trainStep(tokens, null, 1e-3, 1);
  const elapsed = performance.now() - started;
  clearInterval(timer);
  const gaps = ticks.slice(1).map((tick, i) => tick - ticks[i]!);
  const maxGap = Math.max(0, ...gaps);
  t.log(`step ${elapsed.toFixed(0)} ms (native ${result.timings.totalMs.toFixed(0)} ms), ${ticks.length} ticks, largest gap ${maxGap.toFixed(0)} ms`);
  t.true(elapsed >= 200, `the step must be long enough to observe (${elapsed} ms)`);
  t.true(ticks.length >= elapsed / 10 / 3, `only ${ticks.length} ticks in ${elapsed} ms`);
  t.true(maxGap < 200, `the event loop stalled for ${maxGap} ms`);
});

test.serial('every tensor plus the optimizer step resumes training bitwise (dropout on)', async (t) => {
  const config = tinyConfig('llama', { micro: 2, gas: 2 }, { hidden_dropout: 0.1, attention_dropout: 0.1 });
  const original = await createEngine(config, { threads: null, seed: 5 });
  const resumed = await createEngine(config, { threads: null, seed: 5 });
  t.teardown(() => { original.close(); resumed.close(); });
  for (let step = 0; step < 3; step++) await original.trainStep(randomTokens(4, 10 + step), null, 2e-3, step);
  const info = original.tensorInfo();
  t.deepEqual(new Set(info.map((i) => i.kind)), new Set(['parameter', 'exp_avg', 'exp_avg_sq']));
  for (const tensor of info) resumed.setTensor(tensor.name, original.getTensor(tensor.name));
  resumed.setOptimizerStep(original.optimizerStep());
  const next = randomTokens(4, 99);
  const a = await original.trainStep(next, null, 2e-3, 3);
  const b = await resumed.trainStep(next, null, 2e-3, 3);
  t.is(b.loss, a.loss);
  t.is(b.gradNorm, a.gradNorm);
  t.is(resumed.optimizerStep(), 4);
  for (const tensor of info) {
    t.true(Buffer.from(resumed.getTensor(tensor.name).buffer).equals(Buffer.from(original.getTensor(tensor.name).buffer)), tensor.name);
  }
});

test.serial('the loss mask weights each target: the loss is the masked token mean of the logits', async (t) => {
  const engine = await createEngine(tinyConfig('gpt_neox', { micro: 2, gas: 1 }), { threads: null, seed: 3 });
  t.teardown(() => engine.close());
  const tokens = randomTokens(2, 7);
  const mask = Float32Array.from({ length: 2 * SEQ }, (_, i) => (i % 3 === 0 ? 0 : 1));
  const logits = await engine.logits(leadingColumns(tokens, SEQ + 1, SEQ), 2, SEQ);
  let sum = 0;
  let count = 0;
  for (let r = 0; r < 2; r++) {
    for (let p = 0; p < SEQ; p++) {
      const row = logits.subarray((r * SEQ + p) * VOCAB, (r * SEQ + p + 1) * VOCAB);
      const max = Math.max(...row);
      const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
      const w = mask[r * SEQ + p]!;
      sum += w * (lse - row[tokens[r * (SEQ + 1) + p + 1]!]!);
      count += w;
    }
  }
  const masked = await engine.trainStep(tokens, mask, 0, 0);
  t.true(Math.abs(masked.loss - sum / count) <= 1e-5 * (sum / count), `${masked.loss} vs ${sum / count}`);
  const ones = await engine.trainStep(tokens, new Float32Array(2 * SEQ).fill(1), 0, 1);
  const none = await engine.trainStep(tokens, null, 0, 2);
  t.is(ones.loss, none.loss);
  t.not(masked.loss, none.loss);
});

test.serial('a non-finite loss skips the update and names the step and tensor', async (t) => {
  const engine = await createEngine(tinyConfig('llama', { micro: 1, gas: 1 }), { threads: null, seed: 3 });
  t.teardown(() => engine.close());
  const weight = engine.getTensor('layers.0.mlp.linear2.weight');
  weight[17] = Number.POSITIVE_INFINITY;
  engine.setTensor('layers.0.mlp.linear2.weight', weight);
  const before = engine.getTensor('embed.word_embeddings.weight');
  const result = await engine.trainStep(randomTokens(1, 4), null, 1e-3, 7);
  t.true(result.skipped);
  t.deepEqual(result.nonFinite, { step: 7, tensor: 'loss' });
  t.is(engine.optimizerStep(), 0);
  t.deepEqual(engine.getTensor('embed.word_embeddings.weight'), before);
});

test.serial('bad input is refused with NativeInvalidArgumentError and an exact message', async (t) => {
  const engine = await createEngine(tinyConfig('gpt_neox', { micro: 2, gas: 2 }), { threads: null, seed: 1 });
  t.teardown(() => engine.close());
  const tokens = randomTokens(4, 3);
  const refused = async (call: () => unknown, message: string) => {
    const error = await t.throwsAsync(async () => call(), { instanceOf: NativeInvalidArgumentError });
    t.is(error?.message, message);
  };
  const outside = tokens.slice();
  outside[(SEQ + 1) + 3] = VOCAB;
  await refused(() => engine.trainStep(outside, null, 1e-3, 0),
    'trainStep: token id 512 at row 1, position 3 is outside [0, 512) (padded_vocab_size); check the tokenizer and data against the config');
  await refused(() => engine.trainStep(tokens.subarray(SEQ + 1), null, 1e-3, 0),
    'trainStep: tokens has 99 elements; expected gradient_accumulation_steps (2) × train_micro_batch_size_per_gpu (2) × (seq_length (32) + 1) = 132');
  await refused(() => engine.trainStep(tokens, new Float32Array(4 * (SEQ + 1)), 1e-3, 0),
    'trainStep: lossMask has 132 elements; expected one weight per target: 4 rows × seq_length (32) = 128 (or null)');
  await refused(() => engine.trainStep(new Uint32Array(132) as unknown as Int32Array, null, 1e-3, 0),
    'trainStep: tokens must be an Int32Array (got Uint32Array)');
  await refused(() => engine.evalLoss(tokens),
    'evalLoss: tokens has 132 elements; expected one micro-batch: train_micro_batch_size_per_gpu (2) × (seq_length (32) + 1) = 66');
  await refused(() => engine.logits(new Int32Array(65), 1, 65),
    'logits: seqLen 65 exceeds the 64 positions this model supports (max_position_embeddings); pass a shorter sequence');
  await refused(() => engine.getTensor('layers.0.mlp.dense_h_to_4h.weight'),
    "getTensor: no tensor named 'layers.0.mlp.dense_h_to_4h.weight'; tensorInfo() lists the names (e.g. embed.word_embeddings.weight)");
  await refused(() => engine.setTensor('layers.1.attention.dense.weight', new Float32Array(10)),
    "setTensor: 'layers.1.attention.dense.weight' has shape [64 × 64] = 4096 elements; got 10 values");
  await refused(() => engine.setTensor('final_norm.bias', new Float64Array(64) as unknown as Float32Array),
    'setTensor: data must be a Float32Array (got Float64Array)');
  await refused(() => engine.getGradient('optimizer.exp_avg.final_norm.bias'),
    "getGradient: 'optimizer.exp_avg.final_norm.bias' is an optimizer moment; gradients exist for parameters only");
  t.is(engine.optimizerStep(), 0, 'nothing was applied');
  engine.close();
  await refused(() => engine.trainStep(tokens, null, 1e-3, 0), 'trainStep: the engine is closed; create a new one');
});

test.serial('unsupported options are refused with the key and value', async (t) => {
  const cases: [Record<string, unknown>, string][] = [
    [{ pos_emb: 'alibi' }, "pos_emb is 'alibi'; the CPU engine supports 'rotary', 'learned' or 'none'"],
    [{ norm: 'scalenorm' }, "norm is 'scalenorm'; the CPU engine supports 'layernorm' or 'rmsnorm'"],
    [{ activation: 'relu' }, "activation is 'relu'; the CPU engine supports 'gelu' or 'swiglu'"],
    [{ init_method: 'orthogonal' }, "init_method is 'orthogonal'; the CPU engine supports normal, scaled_normal, single_residual_scaled_normal, small_init, wang_init, xavier_normal or xavier_uniform"],
    [{ use_qk_layernorm: true }, 'use_qk_layernorm is true; the CPU engine has no query/key norm: set it to false'],
    [{ attention_config: [[['global', 'local'], 1]] }, `attention_config (layer 1) is "local"; the CPU engine supports 'global' or 'flash' attention (with sliding_window_width for a window)`],
    [{ optimizer: { type: 'Lion', params: { lr: 1e-4 } } }, `optimizer.type is "Lion"; the CPU engine implements Adam with decoupled weight decay: set type 'Adam'`],
  ];
  for (const [extra, message] of cases) {
    const error = await t.throwsAsync(async () => createEngine(tinyConfig('gpt_neox', { micro: 1, gas: 1 }, extra), { threads: null, seed: null }),
      { instanceOf: NativeInvalidArgumentError });
    t.is(error?.message, message);
  }
});
