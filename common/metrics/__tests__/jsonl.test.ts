import test from 'ava';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { FileError } from '../../errors';
import { SinkClosedError } from '../errors';
import { readMetricsFile } from '../jsonl-reader';
import { JsonlSink } from '../jsonl-sink';
import { evalMetrics, TrainStepMetrics } from '../metric-types';

const step = (n: number, extra: Partial<TrainStepMetrics> = {}): TrainStepMetrics => ({
  step: n, loss: 4 - n / 10, learningRate: 1e-4 * n, stepTimeS: 0.5, tokensPerSec: 2048, skipped: false, ...extra,
});
const fixedClock = () => Date.UTC(2024, 3, 5, 6, 7, 8, 250);

test('each step and eval becomes one self-describing line', (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'neox-jsonl-')), 'run', 'metrics.jsonl');
  const sink = new JsonlSink(path, { clock: fixedClock });
  sink.writeTrain(step(1, { gradNorm: 1.5, lossScale: 4096, flopsPerSec: 1.2e11, mfu: 0.63, rssBytes: 123456789 }));
  sink.writeTrain(step(2));
  sink.writeEval(evalMetrics(2, Math.log(20)));
  sink.close();
  const lines = readFileSync(path, 'utf8').split('\n');
  t.is(lines.length, 4);
  t.is(lines[3], '');
  t.deepEqual(JSON.parse(lines[0]!), {
    kind: 'train', step: 1, time: '2024-04-05T06:07:08.250Z', wall_time: 1712297228.25,
    lm_loss: 3.9, learning_rate: 1e-4, grad_norm: 1.5, loss_scale: 4096, step_time_s: 0.5, tokens_per_sec: 2048,
    flops_per_sec: 1.2e11, mfu: 0.63, rss_bytes: 123456789, skipped: false,
  });
  t.deepEqual(Object.keys(JSON.parse(lines[1]!)), ['kind', 'step', 'time', 'wall_time', 'lm_loss', 'learning_rate', 'step_time_s', 'tokens_per_sec', 'skipped']);
  const evalLine = JSON.parse(lines[2]!);
  t.is(evalLine.kind, 'eval');
  t.is(evalLine.lm_loss, Math.log(20));
  t.true(Math.abs(evalLine.lm_loss_ppl - 20) < 1e-12);
  t.throws(() => sink.writeTrain(step(3)), { instanceOf: SinkClosedError });
});

test('reopening resumes appending and keeps earlier lines', (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'neox-jsonl-')), 'metrics.jsonl');
  const first = new JsonlSink(path);
  first.writeTrain(step(1));
  first.writeTrain(step(2));
  first.close();
  const second = new JsonlSink(path);
  second.writeTrain(step(3));
  second.close();
  const { records, skippedLines } = readMetricsFile(path);
  t.deepEqual(records.map((r) => r.step), [1, 2, 3]);
  t.deepEqual(skippedLines, []);
});

test('a line torn by a crash is kept apart and skipped by the reader; non-finite losses survive', (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'neox-jsonl-')), 'metrics.jsonl');
  const first = new JsonlSink(path);
  first.writeTrain(step(1));
  first.close();
  appendFileSync(path, '{"kind":"train","step":2,"lm_lo'); // the previous run died mid-write
  const second = new JsonlSink(path);
  second.writeTrain(step(2, { loss: Number.NaN, gradNorm: Number.POSITIVE_INFINITY }));
  second.close();
  const text = readFileSync(path, 'utf8');
  t.true(text.includes('{"kind":"train","step":2,"lm_lo\n'), 'the fragment is kept, ended by a newline');
  const { records, skippedLines } = readMetricsFile(path);
  t.deepEqual(skippedLines, [2]);
  t.deepEqual(records.map((r) => r.step), [1, 2]);
  t.true(Number.isNaN(records[1]!.lm_loss));
  t.is(records[1]!.grad_norm, Number.POSITIVE_INFINITY);
  t.true(text.includes('"lm_loss":"NaN"'));
});

test('an unopenable path is a FileError with the fix', (t) => {
  const parent = mkdtempSync(join(tmpdir(), 'neox-jsonl-'));
  writeFileSync(join(parent, 'file'), '');
  t.throws(() => new JsonlSink(join(parent, 'file', 'metrics.jsonl')), { instanceOf: FileError, message: /^cannot open metrics file .*file\/metrics\.jsonl \(E[A-Z]+: .*\); set the metrics file to a writable path$/ });
});
