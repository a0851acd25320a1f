/**
 * Appends one JSON object per line to a metrics file: one line per optimizer step
 * (`kind: "train"`) and per evaluation (`kind: "eval"`). Every line carries `kind`, `step`,
 * `time` (ISO 8601, UTC) and `wall_time` (unix seconds, as in TensorBoard), then the values in
 * GPT-NeoX's names where they exist:
 *
 *   train: lm_loss, learning_rate, grad_norm?, loss_scale?, step_time_s, tokens_per_sec,
 *          flops_per_sec?, mfu?, rss_bytes?, skipped
 *   eval:  lm_loss, lm_loss_ppl
 *
 * Absent optional values are left out. Non-finite numbers (a diverged loss) are written as the
 * strings "NaN", "Infinity", "-Infinity", which JSON cannot hold as numbers; jsonl-reader.ts
 * turns them back.
 *
 * Reopening an existing file resumes appending. If the previous run died mid-line, that
 * fragment is kept and ended with a newline so the new lines stay whole (readers skip it).
 * Lines reach the OS at once; flush() and close() fsync.
 */
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

import { FileError, describeError } from '../errors';
import { SinkClosedError } from './errors';
import { EvalMetrics, MetricSink, TrainStepMetrics } from './metric-types';

export interface JsonlSinkOptions {
  /** Wall clock in unix milliseconds. @default Date.now */
  clock?: () => number;
}

type JsonValue = number | string | boolean;
type Field<M> = (metrics: M) => JsonValue | undefined;

const TRAIN_FIELDS: ReadonlyArray<readonly [string, Field<TrainStepMetrics>]> = [
  ['lm_loss', (m) => m.loss],
  ['learning_rate', (m) => m.learningRate],
  ['grad_norm', (m) => m.gradNorm],
  ['loss_scale', (m) => m.lossScale],
  ['step_time_s', (m) => m.stepTimeS],
  ['tokens_per_sec', (m) => m.tokensPerSec],
  ['flops_per_sec', (m) => m.flopsPerSec],
  ['mfu', (m) => m.mfu],
  ['rss_bytes', (m) => m.rssBytes],
  ['skipped', (m) => m.skipped],
];

const EVAL_FIELDS: ReadonlyArray<readonly [string, Field<EvalMetrics>]> = [
  ['lm_loss', (m) => m.lmLoss],
  ['lm_loss_ppl', (m) => m.lmLossPpl],
];

function jsonSafe(value: JsonValue): JsonValue {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

export class JsonlSink implements MetricSink {
  readonly name = 'jsonl';
  private fd: number | null;
  /** A failed write left part of a line behind; the next line must start on a new one. */
  private tornTail = false;
  private readonly clock: () => number;

  constructor(readonly path: string, options: JsonlSinkOptions = {}) {
    this.clock = options.clock ?? Date.now;
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(path, 'a+');
    } catch (error) {
      throw new FileError(path, `cannot open metrics file ${path} (${describeError(error)}); set the metrics file to a writable path`, { cause: error });
    }
    try {
      this.endTornLine();
    } catch (error) {
      closeSync(this.fd);
      throw this.ioError('resume', error);
    }
  }

  writeTrain(metrics: TrainStepMetrics): void {
    this.append('train', metrics.step, TRAIN_FIELDS, metrics);
  }

  writeEval(metrics: EvalMetrics): void {
    this.append('eval', metrics.step, EVAL_FIELDS, metrics);
  }

  /** Forces the lines written so far to disk. */
  flush(): void {
    try {
      fsyncSync(this.openFd());
    } catch (error) {
      throw this.ioError('fsync', error);
    }
  }

  /** fsyncs and closes. Safe to call twice. */
  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      fsyncSync(fd);
    } catch (error) {
      throw this.ioError('fsync', error);
    } finally {
      closeSync(fd);
    }
  }

  private append<M>(kind: 'train' | 'eval', step: number, fields: ReadonlyArray<readonly [string, Field<M>]>, metrics: M): void {
    const fd = this.openFd();
    const now = this.clock();
    const record: Record<string, JsonValue> = { kind, step, time: new Date(now).toISOString(), wall_time: now / 1000 };
    for (const [key, pick] of fields) {
      const value = pick(metrics);
      if (value !== undefined) record[key] = jsonSafe(value);
    }
    const line = `${this.tornTail ? '\n' : ''}${JSON.stringify(record)}\n`;
    this.writeAll(fd, Buffer.from(line), 'append to');
    this.tornTail = false;
  }

  /** Ends a fragment left by a run that died mid-line, so the next line starts on its own. */
  private endTornLine(): void {
    const fd = this.fd!;
    const size = fstatSync(fd).size;
    if (size === 0) return;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    if (last[0] !== 0x0a) writeSync(fd, '\n');
  }

  private writeAll(fd: number, bytes: Buffer, action: string): void {
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(fd, bytes, written);
    } catch (error) {
      if (written > 0) this.tornTail = true;
      throw this.ioError(action, error);
    }
  }

  private openFd(): number {
    if (this.fd === null) throw new SinkClosedError(`metrics file ${this.path}`);
    return this.fd;
  }

  private ioError(action: string, error: unknown): FileError {
    return new FileError(this.path, `cannot ${action} metrics file ${this.path} (${describeError(error)}); free space or fix permissions`, { cause: error });
  }
}
