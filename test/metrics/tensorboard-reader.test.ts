/** The tensorboard Python package (the reference reader) reads the event files we write. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { packageRoot } from '../../common/paths';
import { crc32c, maskedCrc32c } from '../../common/metrics/crc32c';
import { evalMetrics } from '../../common/metrics/metric-types';
import { MetricsHub } from '../../common/metrics/metrics-hub';
import { TensorBoardWriter } from '../../common/metrics/tensorboard-writer';
import { venvPython } from '../oracle/python';

function tensorboardRead(args: string[]): unknown {
  const script = join(packageRoot(), 'test', 'metrics', 'read_events.py');
  const result = spawnSync(venvPython(), [script, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`read_events.py ${args[0]} failed (${result.status}): ${result.stderr || result.error?.message}`);
  return JSON.parse(result.stdout);
}

type Dump = { first_events: Record<string, string>; scalars: Record<string, [number, number | string, number][]> };

test('EventAccumulator yields exactly the tags, steps, float32 values and wall times we wrote, across two files', (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'neox-tbpy-')), 'tb');
  const values = [0.1, 4.1234, 6e-4, -2.5, 1e-30, 3.0e38, 123456789.123];
  const first = new TensorBoardWriter(dir, { flushIntervalMs: 600_000 });
  values.forEach((v, i) => first.addScalars(i + 1, [['train/lm_loss', v], ['train/learning_rate', v / 7]], 1700000000.5 + i));
  first.addScalar('train/lm_loss', Number.NaN, 2 ** 40, 1700000100.25);
  first.close();
  // A resumed run opens a second file in the same directory.
  const second = new TensorBoardWriter(dir, { flushIntervalMs: 600_000 });
  second.addScalar('validation/lm_loss', 2.75, 1000, 1700000200);
  second.close();

  const dump = tensorboardRead(['scalars', dir]) as Dump;
  t.deepEqual(dump.first_events, { [basename(first.path)]: 'brain.Event:2', [basename(second.path)]: 'brain.Event:2' });
  t.deepEqual(Object.keys(dump.scalars).sort(), ['train/learning_rate', 'train/lm_loss', 'validation/lm_loss']);
  t.deepEqual(dump.scalars['train/lm_loss'], [
    ...values.map((v, i): [number, number, number] => [i + 1, Math.fround(v), 1700000000.5 + i]),
    [2 ** 40, 'NaN', 1700000100.25],
  ]);
  t.deepEqual(dump.scalars['train/learning_rate'], values.map((v, i) => [i + 1, Math.fround(v / 7), 1700000000.5 + i]));
  t.deepEqual(dump.scalars['validation/lm_loss'], [[1000, 2.75, 1700000200]]);
});

test('a hub-written run reads back under GPT-NeoX tag names', (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'neox-tbpy-')), 'tb');
  const hub = MetricsHub.open({ tensorboardDir: dir });
  for (let step = 1; step <= 3; step++) {
    hub.logTrain({ step, loss: 5 - step, learningRate: 1e-4 * step, gradNorm: 0.5, stepTimeS: 0.25, tokensPerSec: 4096, flopsPerSec: 1.5e11, mfu: 0.79, skipped: false });
  }
  hub.logEval(evalMetrics(3, 1.5));
  hub.close();
  const dump = tensorboardRead(['scalars', dir]) as Dump;
  t.deepEqual(Object.keys(dump.scalars).sort(), [
    'runtime/flops_per_sec_per_gpu', 'runtime/iteration_time', 'runtime/mfu', 'runtime/tokens_per_sec',
    'train/grad_norm', 'train/learning_rate', 'train/lm_loss', 'train/skipped_iter', 'validation/lm_loss', 'validation/lm_loss_ppl',
  ]);
  t.deepEqual(dump.scalars['train/lm_loss']!.map(([step, value]) => [step, value]), [[1, 4], [2, 3], [3, 2]]);
  t.deepEqual(dump.scalars['validation/lm_loss_ppl']!.map(([step, value]) => [step, value]), [[3, Math.fround(Math.exp(1.5))]]);
});

test('our CRC-32C and its masked form agree with tensorboard\'s implementation on random inputs', (t) => {
  const inputs = [Buffer.alloc(0), Buffer.from('123456789'), ...Array.from({ length: 20 }, (_, i) => randomBytes(1 + i * 37))];
  const reference = tensorboardRead(['crc', ...inputs.map((b) => b.toString('hex'))]) as [number, number][];
  t.deepEqual(inputs.map((b) => [crc32c(b), maskedCrc32c(b)]), reference);
});
