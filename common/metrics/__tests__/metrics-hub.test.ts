import test from 'ava';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';

import { readEventFile } from '../event-file-reader';
import { readMetricsFile } from '../jsonl-reader';
import { evalMetrics, EvalMetrics, MetricSink, TrainStepMetrics } from '../metric-types';
import { MetricsHub } from '../metrics-hub';

function capturingLogger() {
  const lines: { msg: string; sink: string; level: number }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

class RecordingSink implements MetricSink {
  train: number[] = [];
  evals: number[] = [];
  closed = 0;
  constructor(readonly name: string, private readonly failOnStep: number | null = null) {}
  writeTrain(m: TrainStepMetrics) {
    if (m.step === this.failOnStep) throw new Error(`disk full at step ${m.step}`);
    this.train.push(m.step);
  }
  writeEval(m: EvalMetrics) {
    this.evals.push(m.step);
  }
  flush() {}
  close() {
    this.closed++;
  }
}

const step = (n: number): TrainStepMetrics => ({ step: n, loss: 3, learningRate: 1e-3, stepTimeS: 1, tokensPerSec: 10, skipped: false });

test('a sink that throws is logged once, closed and dropped; the others keep receiving', (t) => {
  const { logger, lines } = capturingLogger();
  const good = new RecordingSink('good');
  const bad = new RecordingSink('bad', 2);
  const hub = new MetricsHub([bad, good], logger);
  for (let n = 1; n <= 4; n++) t.notThrows(() => hub.logTrain(step(n)));
  hub.logEval(evalMetrics(4, 2));
  hub.close();
  hub.close();
  t.deepEqual(good.train, [1, 2, 3, 4]);
  t.deepEqual(good.evals, [4]);
  t.is(good.closed, 1);
  t.deepEqual(bad.train, [1]);
  t.deepEqual(bad.evals, []);
  t.is(bad.closed, 1, 'closed when dropped, not again by hub.close()');
  t.is(lines.length, 1);
  t.is(lines[0]!.sink, 'bad');
  t.is(lines[0]!.msg, 'metrics sink bad failed to write and is disabled; training continues: disk full at step 2');
  t.is(lines[0]!.level, 50);
});

test('an unwritable tensorboard_dir disables TensorBoard at open; jsonl still records, and close flushes', (t) => {
  const { logger, lines } = capturingLogger();
  const root = mkdtempSync(join(tmpdir(), 'neox-hub-'));
  writeFileSync(join(root, 'file'), '');
  const hub = MetricsHub.open({ tensorboardDir: join(root, 'file', 'tb'), metricsFile: join(root, 'metrics.jsonl'), logger });
  t.deepEqual(hub.sinkNames, ['jsonl']);
  t.is(lines.length, 1);
  t.regex(lines[0]!.msg, /^metrics sink tensorboard could not open and is disabled; training continues: cannot create a TensorBoard event file/);
  hub.logTrain(step(1));
  hub.close();
  t.deepEqual(readMetricsFile(join(root, 'metrics.jsonl')).records.map((r) => r.step), [1]);
});

test('the hub writes GPT-NeoX tags to TensorBoard and close() flushes the buffered events', (t) => {
  const { logger, lines } = capturingLogger();
  const dir = join(mkdtempSync(join(tmpdir(), 'neox-hub-')), 'tb');
  const hub = MetricsHub.open({ tensorboardDir: dir, tensorboard: { flushIntervalMs: 600_000 }, logger });
  hub.logTrain({ ...step(7), gradNorm: 0.5, lossScale: 65536, flopsPerSec: 2e11, mfu: 0.25, rssBytes: 1024, skipped: true });
  hub.logEval(evalMetrics(7, 0));
  hub.close();
  t.is(lines.length, 0);
  const [file] = readdirSync(dir);
  const events = readEventFile(join(dir, file!)).slice(1);
  t.deepEqual(events.map((e) => e.scalars!.map((s) => [s.tag, s.simpleValue])), [
    [['train/lm_loss', 3], ['train/learning_rate', Math.fround(1e-3)], ['train/loss_scale', 65536], ['train/grad_norm', 0.5], ['train/skipped_iter', 1],
      ['runtime/iteration_time', 1], ['runtime/flops_per_sec_per_gpu', Math.fround(2e11)], ['runtime/tokens_per_sec', 10], ['runtime/mfu', 0.25], ['runtime/memory_rss_bytes', 1024]],
    [['validation/lm_loss', 0], ['validation/lm_loss_ppl', 1]],
  ]);
  t.deepEqual(events.map((e) => e.step), [7, 7]);
});
