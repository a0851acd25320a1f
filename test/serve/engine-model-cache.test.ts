/**
 * EngineLanguageModel on the KV cache, called directly: prompts split over several engine calls
 * (tiny token and logits budgets) score and continue exactly like the engine's full-recompute
 * logits of each sequence alone; batched decode steps too; every opened cache is released, also
 * when a call fails.
 */
import test from 'ava';

import type { CachedDecodingEngine } from '../../client/generate/generate';
import { EngineLanguageModel } from '../../client/serve/engine-model';
import type { PrefillInput } from '../../client/serve/language-model';
import { createEngine, type Engine, type SequenceFeed } from '../../native/ts/native';
import { tinyConfig } from '../model/tiny-models';
import { referenceTokenizer } from './helpers';

const V = 512;
let engine: Engine;
test.before(async () => {
  engine = await createEngine(tinyConfig('gpt_neox', { micro: 1, gas: 1 }), { threads: null, seed: 21 });
});
test.after.always(() => engine?.close());

/** The engine's cached calls, counting open caches and calls. */
class Counting implements CachedDecodingEngine {
  open = new Set<number>();
  calls: number[][] = [];
  openSequence(): number {
    const id = engine.openSequence();
    this.open.add(id);
    return id;
  }
  extendSequences(feeds: SequenceFeed[]): Promise<Float32Array[]> {
    this.calls.push(feeds.map((f) => f.tokens.length));
    return engine.extendSequences(feeds);
  }
  releaseSequence(id: number): void {
    this.open.delete(id);
    engine.releaseSequence(id);
  }
}

/** Log-softmax rows of the full forward of `tokens` alone, in float64. */
async function directRows(tokens: number[]): Promise<Float64Array[]> {
  const logits = await engine.logits(Int32Array.from(tokens), 1, tokens.length);
  return tokens.map((_, k) => {
    const row = logits.subarray(k * V, (k + 1) * V);
    let max = -Infinity;
    for (const x of row) max = Math.max(max, x);
    let sum = 0;
    for (const x of row) sum += Math.exp(x - max);
    return Float64Array.from(row, (x) => x - max - Math.log(sum));
  });
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

test.serial('prompts split over several calls score and continue like each sequence alone', async (t) => {
  const counting = new Counting();
  const model = new EngineLanguageModel(counting, { tokenizer: referenceTokenizer(), vocabSize: V, maxContext: 64, logitsBudget: 3 * V, maxBatchTokens: 5 });
  const prompts = [[7], [1, 2, 3, 4, 5, 6, 7], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 11, 12]];
  const inputs: PrefillInput[] = [
    { tokens: Int32Array.from(prompts[0]!), scoreTopK: 2, keep: true },
    { tokens: Int32Array.from(prompts[1]!), scoreTopK: 3, keep: true },
    { tokens: Int32Array.from(prompts[2]!), scoreTopK: null, keep: true },
  ];
  const outputs = await model.prefill(inputs);
  t.true(counting.calls.length > 3, `several engine calls (${JSON.stringify(counting.calls)})`);
  t.true(counting.calls.every((c) => c.reduce((a, b) => a + b, 0) <= 5), 'no call over 5 new tokens');
  for (const [i, prompt] of prompts.entries()) {
    const rows = await directRows(prompt);
    const out = outputs[i]!;
    t.true(maxDiff(out.next!, rows.at(-1)!) < 1e-5, `prompt ${i}: next row`);
    if (inputs[i]!.scoreTopK === null) {
      t.is(out.positions, null);
      continue;
    }
    t.is(out.positions!.length, prompt.length - 1);
    out.positions!.forEach((p, k) => {
      t.true(Math.abs(p.logprob - rows[k]![prompt[k + 1]!]!) < 1e-5, `prompt ${i} position ${k + 1}`);
      t.is(p.top.length, inputs[i]!.scoreTopK!);
    });
  }
  // Batched decode steps continue every sequence.
  const sequences = prompts.map((p) => [...p]);
  for (let step = 0; step < 4; step++) {
    const tokens = sequences.map((_, i) => 20 + step * 3 + i);
    const rows = await model.decode(outputs.map((o, i) => ({ handle: o.handle!, token: tokens[i]! })));
    for (const [i, seq] of sequences.entries()) {
      seq.push(tokens[i]!);
      t.true(maxDiff(rows[i]!, (await directRows(seq)).at(-1)!) < 1e-5, `decode step ${step}, sequence ${i}`);
    }
  }
  for (const o of outputs) model.release(o.handle!);
  t.is(counting.open.size, 0, 'every cache released');
  t.throws(() => model.release(outputs[0]!.handle!), { message: /released twice/ });
});

test.serial('scoring-only prompts never read their last token and release their cache', async (t) => {
  const counting = new Counting();
  const model = new EngineLanguageModel(counting, { tokenizer: referenceTokenizer(), vocabSize: V, maxContext: 64 });
  const prompt = [4, 5, 6, 7];
  const [out, single] = await model.prefill([
    { tokens: Int32Array.from(prompt), scoreTopK: 1, keep: false },
    { tokens: Int32Array.of(3), scoreTopK: 1, keep: false },
  ]);
  t.deepEqual(counting.calls, [[3]]);
  t.is(out!.handle, null);
  t.is(out!.next, null);
  const rows = await directRows(prompt);
  out!.positions!.forEach((p, k) => t.true(Math.abs(p.logprob - rows[k]![prompt[k + 1]!]!) < 1e-5));
  t.deepEqual(single!.positions, []);
  t.is(counting.open.size, 0);
});

test.serial('a failed prefill releases every cache it opened and the model goes on', async (t) => {
  const counting = new Counting();
  const model = new EngineLanguageModel(counting, { tokenizer: referenceTokenizer(), vocabSize: V, maxContext: 64 });
  await t.throwsAsync(model.prefill([
    { tokens: Int32Array.of(1, 2), scoreTopK: null, keep: true },
    { tokens: Int32Array.of(1, V + 5), scoreTopK: null, keep: true },
  ]), { message: /token id 517 .* is outside \[0, 512\)/ });
  t.is(counting.open.size, 0);
  const [ok] = await model.prefill([{ tokens: Int32Array.of(1, 2), scoreTopK: null, keep: true }]);
  t.true(maxDiff(ok!.next!, (await directRows([1, 2])).at(-1)!) < 1e-5);
  model.release(ok!.handle!);
});
