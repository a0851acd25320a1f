import test from 'ava';

import { seededRandom } from '../random';
import { isGreedy, sampleToken, type SamplingParams } from '../sampler';
import { argmax, topLogprobs } from '../top-logprobs';

/** A log-softmax row from probabilities. */
const row = (...p: number[]) => Float32Array.from(p.map(Math.log));
const always = (u: number) => () => u;

function counts(r: Float32Array, params: SamplingParams, draws: number, seed = 1): number[] {
  const random = seededRandom(seed, 0);
  const c = new Array<number>(r.length).fill(0);
  for (let i = 0; i < draws; i++) c[sampleToken(r, params, random)]!++;
  return c;
}

test('greedy exactly when temperature 0, top_k 0 and top_p 1: the argmax whatever the random draw', (t) => {
  const r = row(0.2, 0.5, 0.3);
  const greedy = { temperature: 0, topK: 0, topP: 1 };
  t.true(isGreedy(greedy));
  t.is(sampleToken(r, greedy, always(0)), 1);
  t.is(sampleToken(r, greedy, always(0.999)), 1);
  t.false(isGreedy({ temperature: 0, topK: 0, topP: 0.9 }));
  t.false(isGreedy({ temperature: 0, topK: 5, topP: 1 }));
  t.false(isGreedy({ temperature: 0.1, topK: 0, topP: 1 }));
});

test('temperature 0 with top_p < 1 samples from the nucleus without scaling (GPT-NeoX)', (t) => {
  // sorted 0.4, 0.35, 0.25: the mass before 0.25 is 0.75 > 0.5, so it is dropped; 0.35 stays (0.4 ≤ 0.5).
  const r = row(0.25, 0.4, 0.35);
  const params = { temperature: 0, topK: 0, topP: 0.5 };
  t.is(sampleToken(r, params, always(0.1)), 1);
  t.is(sampleToken(r, params, always(0.9)), 2); // 0.9·0.75 > 0.4
  const c = counts(r, params, 20000);
  t.is(c[0], 0);
  t.true(Math.abs(c[1]! / 20000 - 0.4 / 0.75) < 0.02);
});

test('top_p keeps at least the first token; top_p 0 is then the argmax', (t) => {
  const r = row(0.1, 0.6, 0.3);
  t.deepEqual(counts(r, { temperature: 1, topK: 0, topP: 0 }, 500), [0, 500, 0]);
});

test('top_k keeps values >= the k-th largest, ties included', (t) => {
  const r = row(0.1, 0.3, 0.3, 0.3);
  const c = counts(r, { temperature: 1, topK: 2, topP: 1 }, 3000);
  t.is(c[0], 0);
  t.true(c.slice(1).every((n) => n > 800));
  t.deepEqual(counts(row(0.5, 0.2, 0.3), { temperature: 1, topK: 1, topP: 1 }, 200), [200, 0, 0]);
});

test('temperature 1 samples the model distribution; a low temperature sharpens it', (t) => {
  const r = row(0.5, 0.3, 0.2);
  const c = counts(r, { temperature: 1, topK: 0, topP: 1 }, 40000);
  [0.5, 0.3, 0.2].forEach((p, i) => t.true(Math.abs(c[i]! / 40000 - p) < 0.01, `token ${i}: ${c[i]! / 40000}`));
  const cold = counts(r, { temperature: 0.05, topK: 0, topP: 1 }, 2000);
  t.true(cold[0]! > 1990);
});

test('seeded streams: the same (seed, stream) repeats, others differ, values in [0, 1)', (t) => {
  const take = (seed: number, stream: number) => {
    const random = seededRandom(seed, stream);
    return Array.from({ length: 1000 }, () => random());
  };
  t.deepEqual(take(1234, 0), take(1234, 0));
  t.notDeepEqual(take(1234, 0), take(1234, 1));
  t.notDeepEqual(take(1234, 0), take(1235, 0));
  t.notDeepEqual(take(-5, 0), take(5, 0));
  t.notDeepEqual(take(2 ** 40, 0), take(0, 0));
  const values = take(7, 3);
  t.true(values.every((v) => v >= 0 && v < 1));
  t.true(Math.abs(values.reduce((a, b) => a + b, 0) / values.length - 0.5) < 0.05);
});

test('argmax and top_logprobs break ties by the smaller id and agree', (t) => {
  const r = Float32Array.of(-2, -1, -3, -1, -0.5, -0.5);
  t.is(argmax(r), 4);
  t.deepEqual(topLogprobs(r, 4), [
    { id: 4, logprob: -0.5 },
    { id: 5, logprob: -0.5 },
    { id: 1, logprob: -1 },
    { id: 3, logprob: -1 },
  ]);
  t.deepEqual(topLogprobs(r, 0), []);
  t.is(topLogprobs(r, 10).length, 6);
  t.is(topLogprobs(r, 1)[0]!.id, argmax(r));
});
