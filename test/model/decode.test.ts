/**
 * Cached decoding through the addon (Engine.openSequence / extendSequences / releaseSequence):
 * every row equals engine.logits() over the whole sequence (rel. error <= 1e-5, fp32) for the
 * Pythia-style and Llama-style (GQA) models, with prompts of different lengths prefilled together,
 * then batched decode steps, a sequence joining mid-way and one leaving; bad calls are refused by
 * name and change no cache.
 */
import test from 'ava';

import { createEngine, type Engine } from '../../native/ts/native';
import { relativeError, tinyConfig, VOCAB } from './tiny-models';

const V = 512; // padded vocabulary of both tiny models (VOCAB = 512 is already a multiple)

function randomIds(n: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: n }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % VOCAB;
  });
}

async function fullRow(engine: Engine, ids: number[], position: number): Promise<Float32Array> {
  const logits = await engine.logits(Int32Array.from(ids.slice(0, position + 1)), 1, position + 1);
  return logits.subarray(position * V, (position + 1) * V);
}

for (const arch of ['gpt_neox', 'llama'] as const) {
  test.serial(`${arch}: cached prefill and decode rows equal full-recompute logits`, async (t) => {
    const engine = await createEngine(tinyConfig(arch, { micro: 1, gas: 1 }), { threads: null, seed: 3 });
    t.teardown(() => engine.close());
    let worst = 0;
    const expectRow = async (ids: number[], position: number, row: Float32Array | undefined, what: string) => {
      t.truthy(row, `${what}: a row came back`);
      const error = relativeError(row!, await fullRow(engine, ids, position));
      worst = Math.max(worst, error);
      t.true(error <= 1e-5, `${what} at position ${position}: relative error ${error}`);
    };
    const a = randomIds(9, 1);
    const b = randomIds(4, 2);
    const c = randomIds(6, 3);
    const sa = engine.openSequence();
    const sb = engine.openSequence();
    const [rowsA, rowB] = await engine.extendSequences([
      { sequence: sa, tokens: Int32Array.from(a), allRows: true },
      { sequence: sb, tokens: Int32Array.from(b) },
    ]);
    t.is(rowsA!.length, a.length * V);
    t.is(rowB!.length, V);
    for (let p = 0; p < a.length; p++) await expectRow(a, p, rowsA!.subarray(p * V, (p + 1) * V), 'prefill A (all rows)');
    await expectRow(b, b.length - 1, rowB, 'prefill B (last row)');

    let sc = -1;
    for (let step = 0; step < 6; step++) {
      a.push(randomIds(1, 100 + step)[0]!);
      const feeds = [{ sequence: sa, tokens: Int32Array.of(a.at(-1)!) }];
      if (step < 3) {
        b.push(randomIds(1, 200 + step)[0]!);
        feeds.push({ sequence: sb, tokens: Int32Array.of(b.at(-1)!) });
      }
      if (step === 3) engine.releaseSequence(sb);
      if (step === 2) {
        sc = engine.openSequence();
        feeds.push({ sequence: sc, tokens: Int32Array.from(c) });
      } else if (step > 2) {
        c.push(randomIds(1, 300 + step)[0]!);
        feeds.push({ sequence: sc, tokens: Int32Array.of(c.at(-1)!) });
      }
      const rows = await engine.extendSequences(feeds);
      t.is(rows.length, feeds.length);
      await expectRow(a, a.length - 1, rows[0], `decode A step ${step}`);
      if (step < 3) await expectRow(b, b.length - 1, rows[1], `decode B step ${step}`);
      if (step >= 2) await expectRow(c, c.length - 1, rows.at(-1), `C step ${step}`);
    }
    t.log(`largest relative error ${worst.toExponential(2)}`);
  });
}

test.serial('extendSequences refuses bad feeds by name and changes no cache', async (t) => {
  const engine = await createEngine(tinyConfig('gpt_neox', { micro: 1, gas: 1 }), { threads: null, seed: 3 });
  t.teardown(() => engine.close());
  const ids = randomIds(5, 9);
  const s = engine.openSequence();
  await engine.extendSequences([{ sequence: s, tokens: Int32Array.from(ids.slice(0, 4)) }]);
  await t.throwsAsync(engine.extendSequences([{ sequence: 999, tokens: Int32Array.of(1) }]), {
    message: 'extendSequences: feeds[0].sequence 999 is not open (never opened or already released); call openSequence() first',
  });
  await t.throwsAsync(engine.extendSequences([{ sequence: s, tokens: [1, 2] as unknown as Int32Array }]), {
    message: 'extendSequences: feeds[0].tokens must be an Int32Array (got not a typed array)',
  });
  await t.throwsAsync(engine.extendSequences([{ sequence: s, tokens: Int32Array.of(3, VOCAB + 7) }]), {
    message: /^decoder: token id 519 of sequence \d+ \(new token 1\) is outside \[0, 512\) \(padded_vocab_size\)/,
  });
  await t.throwsAsync(engine.extendSequences([{ sequence: s, tokens: new Int32Array(61) }]), {
    message: /would hold 65 positions \(4 cached \+ 61 new\), more than the model's 64/,
  });
  t.deepEqual(await engine.extendSequences([]), [], 'no feeds: no rows');
  t.throws(() => engine.releaseSequence(12345), { message: 'releaseSequence: sequence 12345 is not open (never opened or already released)' });
  // Nothing changed: the next token still continues the 4 cached ones.
  const [row] = await engine.extendSequences([{ sequence: s, tokens: Int32Array.of(ids[4]!) }]);
  t.true(relativeError(row!, await fullRow(engine, ids, 4)) <= 1e-5);
  engine.releaseSequence(s);
  await t.throwsAsync(engine.extendSequences([{ sequence: s, tokens: Int32Array.of(1) }]), { message: /is not open/ });
  engine.close();
  t.throws(() => engine.openSequence(), { message: 'openSequence: the engine is closed; create a new one' });
});
