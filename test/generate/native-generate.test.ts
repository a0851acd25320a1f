/**
 * generateIds on the native engine's KV cache: greedy ids equal the argmax of full-recompute
 * logits (engine.logits over the whole sequence) step by step; a batch of prompts gives each
 * prompt's own greedy ids; seeded sampling repeats exactly.
 */
import test from 'ava';

import { generateBatch, generateIds } from '../../client/generate/generate';
import { argmax } from '../../client/serve/top-logprobs';
import { createEngine, type Engine } from '../../native/ts/native';
import { tinyConfig } from '../model/tiny-models';

const V = 512;

async function greedyByFullRecompute(engine: Engine, prompt: number[], maxTokens: number): Promise<number[]> {
  const ids = [...prompt];
  const out: number[] = [];
  for (let i = 0; i < maxTokens; i++) {
    const logits = await engine.logits(Int32Array.from(ids), 1, ids.length);
    const next = argmax(logits.subarray((ids.length - 1) * V));
    out.push(next);
    ids.push(next);
  }
  return out;
}

for (const arch of ['gpt_neox', 'llama'] as const) {
  test.serial(`${arch}: greedy generation equals the argmax of full-recompute logits step by step`, async (t) => {
    const engine = await createEngine(tinyConfig(arch, { micro: 1, gas: 1 }), { threads: null, seed: 11 });
    t.teardown(() => engine.close());
    const prompts = [[5, 17, 300], [42], [7, 7, 7, 7, 7, 1, 2]];
    const expected = [];
    for (const prompt of prompts) expected.push(await greedyByFullRecompute(engine, prompt, 20));
    for (const [i, prompt] of prompts.entries()) {
      t.deepEqual(await generateIds(engine, prompt, { maxTokens: 20, temperature: 0, stopAtEod: false }, 0), expected[i]);
    }
    t.deepEqual(await generateBatch(engine, prompts, { maxTokens: 20, temperature: 0, stopAtEod: false }, 0), expected);
  });
}

test.serial('seeded sampling on the engine repeats exactly and changes with the seed', async (t) => {
  const engine = await createEngine(tinyConfig('gpt_neox', { micro: 1, gas: 1 }), { threads: null, seed: 11 });
  t.teardown(() => engine.close());
  const options = { maxTokens: 30, temperature: 1.5, topK: 50, topP: 0.95, seed: 7, stopAtEod: false };
  const first = await generateIds(engine, [1, 2, 3], options, 0);
  t.is(first.length, 30);
  t.deepEqual(await generateIds(engine, [1, 2, 3], options, 0), first);
  t.notDeepEqual(await generateIds(engine, [1, 2, 3], { ...options, seed: 8 }, 0), first);
});
