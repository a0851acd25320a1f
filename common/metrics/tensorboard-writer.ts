/**
 * Writes TensorBoard event files: `events.out.tfevents.<unix seconds>.<hostname>.<pid>.<counter>`
 * inside a directory, TFRecord-framed `Event` messages, the first carrying file_version
 * "brain.Event:2", the rest scalar summaries (float32 `simple_value`).
 *
 * Records are buffered and written on a timer, when the buffer grows past a limit, on flush()
 * and on close(); close() also fsyncs the file and its directory. A write that fails on the
 * timer is kept and thrown by the next call, so a caller (the metrics hub) hears about it.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { FileError, describeError } from '../errors';
import { fsyncPath } from '../checkpoint/fs-atomic';
import { encodeEvent, ScalarValue } from './event-proto';
import { MetricInputError, SinkClosedError } from './errors';
import { frameRecord } from './tfrecord';

export const EVENT_FILE_VERSION = 'brain.Event:2';
export const EVENT_FILE_PREFIX = 'events.out.tfevents.';

export interface TensorBoardWriterOptions {
  /** How often buffered records are written. @default 5000 */
  flushIntervalMs?: number;
  /** Buffered bytes that trigger a write without waiting for the timer. @default 1 MiB */
  maxBufferedBytes?: number;
  /** Host name in the file name. @default os.hostname() */
  hostname?: string;
  /** Wall clock in unix seconds, for events written without an explicit wall time. @default Date.now()/1000 */
  clock?: () => number;
}

/** Distinguishes files one process opens within the same second. */
let filesOpened = 0;

export class TensorBoardWriter {
  readonly directory: string;
  /** The event file this writer appends to. */
  readonly path: string;
  private fd: number | null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private failure: unknown = null;
  private readonly timer: NodeJS.Timeout;
  private readonly maxBufferedBytes: number;
  private readonly clock: () => number;

  constructor(directory: string, options: TensorBoardWriterOptions = {}) {
    const flushIntervalMs = options.flushIntervalMs ?? 5000;
    if (!(flushIntervalMs > 0)) throw new MetricInputError(`TensorBoard flushIntervalMs is ${flushIntervalMs}; give a positive number of milliseconds`);
    this.directory = directory;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 1 << 20;
    this.clock = options.clock ?? (() => Date.now() / 1000);
    const wallTime = this.clock();
    const name = `${EVENT_FILE_PREFIX}${Math.floor(wallTime)}.${options.hostname ?? hostname()}.${process.pid}.${filesOpened++}`;
    this.path = join(directory, name);
    try {
      mkdirSync(directory, { recursive: true });
      this.fd = openSync(this.path, 'wx');
    } catch (error) {
      throw new FileError(directory, `cannot create a TensorBoard event file in ${directory} (${describeError(error)}); set tensorboard_dir to a writable directory`, { cause: error });
    }
    try {
      this.enqueue({ wallTime, step: 0, fileVersion: EVENT_FILE_VERSION });
      this.writePending();
    } catch (error) {
      closeSync(this.fd);
      throw error;
    }
    this.timer = setInterval(() => this.flushFromTimer(), flushIntervalMs);
    this.timer.unref();
  }

  /** Queues one event holding every (tag, value) pair for `step`. */
  addScalars(step: number, values: Iterable<readonly [string, number]>, wallTime: number = this.clock()): void {
    this.throwIfUnusable();
    if (!Number.isSafeInteger(step) || step < 0) throw new MetricInputError(`TensorBoard step ${step} is not a non-negative integer; pass the optimizer step count`);
    const scalars: ScalarValue[] = [];
    for (const [tag, value] of values) {
      if (typeof tag !== 'string' || tag.length === 0) throw new MetricInputError(`TensorBoard tag ${JSON.stringify(tag)} at step ${step} is empty; name the scalar, e.g. "train/lm_loss"`);
      if (typeof value !== 'number') throw new MetricInputError(`TensorBoard value for ${tag} at step ${step} is ${typeof value}; pass a number`);
      scalars.push({ tag, simpleValue: value });
    }
    if (scalars.length > 0) this.enqueue({ wallTime, step, scalars });
  }

  addScalar(tag: string, value: number, step: number, wallTime?: number): void {
    this.addScalars(step, [[tag, value]], wallTime);
  }

  /** Writes every queued record to the file (no fsync; close() does that). */
  flush(): void {
    this.throwIfUnusable();
    this.writePending();
  }

  /**
   * Flushes, fsyncs and closes the file. Safe to call twice. Records a failed timer write left
   * queued get one more attempt here; the error is thrown only if they still cannot be written.
   */
  close(): void {
    if (this.fd === null) return;
    clearInterval(this.timer);
    const fd = this.fd;
    try {
      this.writePending();
      this.failure = null;
      fsyncSync(fd);
      fsyncPath(this.directory);
    } finally {
      this.fd = null;
      closeSync(fd);
    }
  }

  private writePending(): void {
    if (this.pending.length === 0) return;
    const bytes = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(this.fd!, bytes, written);
    } catch (error) {
      // Keep what did not reach the file: the records stay queued for a later attempt.
      this.pending = [bytes.subarray(written)];
      this.pendingBytes = bytes.length - written;
      throw new FileError(this.path, `cannot write TensorBoard events to ${this.path} (${describeError(error)}); free space or fix permissions in ${this.directory}`, { cause: error });
    }
    this.pending = [];
    this.pendingBytes = 0;
  }

  private enqueue(event: Parameters<typeof encodeEvent>[0]): void {
    const record = frameRecord(encodeEvent(event));
    this.pending.push(record);
    this.pendingBytes += record.length;
    if (this.pendingBytes >= this.maxBufferedBytes) this.writePending();
  }

  private flushFromTimer(): void {
    try {
      this.flush();
    } catch (error) {
      this.failure = error;
      clearInterval(this.timer);
    }
  }

  private throwIfUnusable(): void {
    if (this.failure !== null) throw this.failure;
    if (this.fd === null) throw new SinkClosedError(`TensorBoard writer for ${this.path}`);
  }
}
