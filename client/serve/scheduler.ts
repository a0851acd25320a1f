/**
 * Continuous batching over a LanguageModel. Sequences from every request wait in one bounded
 * queue; each round admits waiting sequences into one batched prefill (up to the model's batch and
 * token limits, while running sequences leave room), then advances every running sequence by one
 * batched decode step. New requests join at the next round, finished sequences leave at once, and
 * the event loop gets a turn between model calls.
 */
import { ApiError, asApiError, modelFailure } from './api-error';
import type { LanguageModel, PrefillInput, PrefillOutput, SequenceHandle } from './language-model';

/** One sequence's side of the work; the scheduler only moves tokens between it and the model. */
export interface SequenceJob {
  readonly prefill: PrefillInput;
  /** Set when the client went away; the scheduler drops the job and frees its cache. */
  readonly cancelled: boolean;
  /** The prompt's result; returns the token to feed next, or null when the sequence is done. */
  afterPrefill(output: PrefillOutput): number | null;
  /** The row after the fed token; returns the next token to feed, or null when done. */
  afterDecode(row: Float32Array): number | null;
  fail(error: ApiError): void;
}

export interface SchedulerOptions {
  /** Most sequences waiting for prefill; more are refused with 503. */
  maxQueued: number;
}

export interface SchedulerStats {
  prefillCalls: number;
  decodeCalls: number;
  largestPrefill: number;
  largestDecode: number;
}

interface Running {
  job: SequenceJob;
  handle: SequenceHandle;
  token: number;
}

export class Scheduler {
  private waiting: SequenceJob[] = [];
  private running: Running[] = [];
  private looping = false;
  readonly stats: SchedulerStats = { prefillCalls: 0, decodeCalls: 0, largestPrefill: 0, largestDecode: 0 };

  constructor(
    private readonly model: LanguageModel,
    private readonly options: SchedulerOptions,
  ) {}

  get queued(): number {
    return this.waiting.length;
  }

  /** Queues all jobs of one request, or none: 503 when they do not fit, 400 when they never could. */
  submit(jobs: SequenceJob[]): void {
    const limit = this.options.maxQueued;
    if (jobs.length > limit) {
      throw new ApiError(400, 'invalid_request_error', `This request needs ${jobs.length} sequences (prompts x n) but the server queues at most ${limit}; split it into smaller requests.`, 'prompt', 'too_many_sequences');
    }
    if (this.waiting.length + jobs.length > limit) {
      throw new ApiError(503, 'overloaded_error', `The server is busy: ${this.waiting.length} sequences are waiting and the queue holds ${limit}; retry after a short wait.`, null, 'server_overloaded');
    }
    this.waiting.push(...jobs);
    if (!this.looping) {
      // Started on the next turn, so no job hears back before submit returns.
      this.looping = true;
      setImmediate(() => this.loop().catch((error: unknown) => this.abandonAll(error)));
    }
  }

  /** Last resort for a bug in the loop itself: every job fails with a 500, the next submit starts afresh. */
  private abandonAll(error: unknown): void {
    const failure = asApiError(error);
    for (const job of this.waiting) job.fail(failure);
    for (const r of this.running) {
      r.job.fail(failure);
      this.release(r.handle);
    }
    this.waiting = [];
    this.running = [];
  }

  private async loop(): Promise<void> {
    try {
      while (this.waiting.length > 0 || this.running.length > 0) {
        await this.prefillRound();
        await this.decodeRound();
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.looping = false;
    }
  }

  private takeAdmissible(): SequenceJob[] {
    this.waiting = this.waiting.filter((job) => !job.cancelled);
    const batch: SequenceJob[] = [];
    let tokens = 0;
    let slots = this.model.maxBatchSize - this.running.length;
    while (this.waiting.length > 0 && batch.length < this.model.maxBatchSize) {
      const job = this.waiting[0]!;
      const length = job.prefill.tokens.length;
      if (job.prefill.keep && slots === 0) break;
      if (batch.length > 0 && tokens + length > this.model.maxBatchTokens) break;
      this.waiting.shift();
      batch.push(job);
      tokens += length;
      if (job.prefill.keep) slots--;
    }
    return batch;
  }

  private async prefillRound(): Promise<void> {
    const batch = this.takeAdmissible();
    if (batch.length === 0) return;
    this.stats.prefillCalls++;
    this.stats.largestPrefill = Math.max(this.stats.largestPrefill, batch.length);
    let outputs: PrefillOutput[];
    try {
      outputs = await this.model.prefill(batch.map((job) => job.prefill));
      if (outputs.length !== batch.length) throw new Error(`prefill returned ${outputs.length} results for ${batch.length} sequences`);
    } catch (error) {
      for (const job of batch) job.fail(modelFailure(error));
      return;
    }
    batch.forEach((job, i) => {
      const output = outputs[i]!;
      const next = job.cancelled ? null : this.step(job, () => job.afterPrefill(output));
      if (output.handle === null) {
        if (next !== null) job.fail(modelFailure(new Error('prefill returned no handle for a sequence that continues')));
        return;
      }
      if (next === null) this.release(output.handle);
      else this.running.push({ job, handle: output.handle, token: next });
    });
  }

  private async decodeRound(): Promise<void> {
    const batch = this.running;
    this.running = [];
    const live = batch.filter((r) => {
      if (r.job.cancelled) this.release(r.handle);
      return !r.job.cancelled;
    });
    if (live.length === 0) return;
    this.stats.decodeCalls++;
    this.stats.largestDecode = Math.max(this.stats.largestDecode, live.length);
    let rows: Float32Array[];
    try {
      rows = await this.model.decode(live.map((r) => ({ handle: r.handle, token: r.token })));
      if (rows.length !== live.length) throw new Error(`decode returned ${rows.length} rows for ${live.length} sequences`);
    } catch (error) {
      for (const r of live) {
        r.job.fail(modelFailure(error));
        this.release(r.handle);
      }
      return;
    }
    live.forEach((r, i) => {
      const next = r.job.cancelled ? null : this.step(r.job, () => r.job.afterDecode(rows[i]!));
      if (next === null) this.release(r.handle);
      else this.running.push({ ...r, token: next });
    });
  }

  /** Runs a job's own step; a throw there fails that job only. */
  private step(job: SequenceJob, advance: () => number | null): number | null {
    try {
      return advance();
    } catch (error) {
      job.fail(asApiError(error));
      return null;
    }
  }

  private release(handle: SequenceHandle): void {
    try {
      this.model.release(handle);
    } catch {
      // a failing release must not take other sequences down; the handle is gone either way
    }
  }
}
