/**
 * generateIds / generateBatch on a scripted engine: what is fed when (prompt once, then each new
 * token; the last one never), end-of-document handling, an empty prompt, releases (also after a
 * failure) and option errors. The native engine is exercised in test/generate/.
 */
import test from 'ava';

import type { SequenceFeed } from '../../../native/ts/native';
import { type CachedDecodingEngine, generateBatch, generateIds } from '../generate';

const V = 6;
const EOD = 0;

/** Logits whose argmax is the next id in `script` for that sequence (one-hot, value 5). */
class ScriptedEngine implements CachedDecodingEngine {
  readonly fed = new Map<number, number[][]>();
  readonly released: number[] = [];
  private next = 1;
  private readonly steps = new Map<number, number>();
  constructor(private readonly scripts: number[][], private readonly failAt = -1) {}

  openSequence(): number {
    const id = this.next++;
    this.fed.set(id, []);
    this.steps.set(id, 0);
    return id;
  }

  async extendSequences(feeds: SequenceFeed[]): Promise<Float32Array[]> {
    return feeds.map(({ sequence, tokens }) => {
      const calls = this.fed.get(sequence)!;
      calls.push(Array.from(tokens));
      if (calls.length === this.failAt) throw new Error('engine failed');
      const step = this.steps.get(sequence)!;
      this.steps.set(sequence, step + 1);
      const row = new Float32Array(V);
      row[this.scripts[sequence - 1]![step]!] = 5;
      return row;
    });
  }

  releaseSequence(id: number): void {
    this.released.push(id);
  }
}

test('greedy: the prompt is fed once, then every generated token except the last', async (t) => {
  const engine = new ScriptedEngine([[3, 4, 5, 1]]);
  const ids = await generateIds(engine, [2, 2], { maxTokens: 3, temperature: 0 }, EOD);
  t.deepEqual(ids, [3, 4, 5]);
  t.deepEqual(engine.fed.get(1), [[2, 2], [3], [4]]);
  t.deepEqual(engine.released, [1]);
});

test('stops at the end-of-document id (not returned) unless stopAtEod is false', async (t) => {
  t.deepEqual(await generateIds(new ScriptedEngine([[3, EOD, 4]]), [1], { maxTokens: 5 }, EOD), [3]);
  t.deepEqual(await generateIds(new ScriptedEngine([[3, EOD, 4]]), [1], { maxTokens: 3, stopAtEod: false }, EOD), [3, EOD, 4]);
});

test('an empty prompt starts from the end-of-document id; maxTokens 0 feeds nothing', async (t) => {
  const engine = new ScriptedEngine([[2, 2]]);
  t.deepEqual(await generateIds(engine, [], { maxTokens: 1 }, EOD), [2]);
  t.deepEqual(engine.fed.get(1), [[EOD]]);
  const idle = new ScriptedEngine([[2]]);
  t.deepEqual(await generateIds(idle, [1], { maxTokens: 0 }, EOD), []);
  t.is(idle.fed.size, 0);
  await t.throwsAsync(generateIds(new ScriptedEngine([[1]]), [], { maxTokens: 1 }, null), {
    message: 'generate: prompt 0 is empty and the tokenizer has no end-of-document id to start from; give a prompt',
  });
});

test('a batch shares engine calls; finished sequences leave it', async (t) => {
  const engine = new ScriptedEngine([[1, EOD], [2, 3, 4]]);
  const out = await generateBatch(engine, [[5], [5, 5]], { maxTokens: 3 }, EOD);
  t.deepEqual(out, [[1], [2, 3, 4]]);
  t.deepEqual(engine.fed.get(1), [[5], [1]]);
  t.deepEqual(engine.fed.get(2), [[5, 5], [2], [3]]);
  t.deepEqual(engine.released.sort(), [1, 2]);
});

test('sequences are released when the engine fails', async (t) => {
  const engine = new ScriptedEngine([[1, 2, 3]], 2);
  await t.throwsAsync(generateIds(engine, [5], { maxTokens: 3 }, EOD), { message: 'engine failed' });
  t.deepEqual(engine.released, [1]);
});

test('sampling is deterministic for a seed and follows it', async (t) => {
  // Uniform rows: every draw is a fresh random choice among V ids.
  const flat: CachedDecodingEngine = {
    openSequence: () => 1,
    extendSequences: async (feeds) => feeds.map(() => new Float32Array(V)),
    releaseSequence: () => {},
  };
  const options = { maxTokens: 24, temperature: 1, seed: 42, stopAtEod: false };
  const first = await generateIds(flat, [1], options, EOD);
  t.deepEqual(await generateIds(flat, [1], options, EOD), first);
  t.notDeepEqual(await generateIds(flat, [1], { ...options, seed: 43 }, EOD), first);
  t.true(new Set(first).size > 2, 'draws vary');
});

test('options out of range are refused by name', async (t) => {
  const engine = new ScriptedEngine([[1]]);
  const cases: [object, string][] = [
    [{ maxTokens: -1 }, 'generate: maxTokens -1 must be an integer >= 0'],
    [{ maxTokens: 1.5 }, 'generate: maxTokens 1.5 must be an integer >= 0'],
    [{ maxTokens: 1, temperature: -0.5 }, 'generate: temperature -0.5 must be a finite number >= 0 (0 = greedy)'],
    [{ maxTokens: 1, topK: -2 }, 'generate: topK -2 must be an integer >= 0 (0 = off)'],
    [{ maxTokens: 1, topP: 1.5 }, 'generate: topP 1.5 must be in (0, 1] (1 = off)'],
    [{ maxTokens: 1, topP: 0 }, 'generate: topP 0 must be in (0, 1] (1 = off)'],
    [{ maxTokens: 1, seed: 0.5 }, 'generate: seed 0.5 must be a safe integer'],
  ];
  for (const [options, message] of cases) {
    await t.throwsAsync(generateIds(engine, [1], options as { maxTokens: number }, EOD), { message });
  }
  t.is(engine.fed.get(1), undefined, 'nothing was fed');
});
