/**
 * A LanguageModel over the native engine's KV cache (Engine.openSequence / extendSequences /
 * releaseSequence, native/src/model/decoder.h): prefill feeds each prompt into its own cache, in
 * as few engine calls as the budgets allow (a prompt longer than a call's budget continues its
 * cache over several calls); decode feeds one token per sequence in one batched call. Log-softmax
 * and top-k run here, yielding to the event loop between rows.
 */
import type { Tokenizer } from '../../common/tokenizer';
import type { CachedDecodingEngine } from '../generate/generate';
import type { DecodeInput, LanguageModel, PositionLogprobs, PrefillInput, PrefillOutput, SequenceHandle } from './language-model';
import { logSoftmax } from './log-softmax';
import { topLogprobs } from './top-logprobs';

export interface EngineModelOptions {
  tokenizer: Tokenizer;
  /** Rows of the logits: the config's padded_vocab_size. */
  vocabSize: number;
  maxContext: number;
  /** Default 8. */
  maxBatchSize?: number;
  /** Most logits floats one engine call returns (default 2^26 = 256 MiB); at least one row. */
  logitsBudget?: number;
  /** Most new tokens per engine call (default max(maxContext, 2048)); also the scheduler's prefill aim. */
  maxBatchTokens?: number;
}

/** Rows between event-loop turns while computing log-softmax rows. */
const ROWS_PER_TURN = 16;

/** One prompt's prefill in progress. */
interface PrefillJob {
  input: PrefillInput;
  sequence: number;
  /** The tokens the engine reads (the last one is left out when keep is false). */
  fed: Int32Array;
  done: number;
  /** Logits after the last fed token so far. */
  last: Float32Array | null;
  positions: PositionLogprobs[];
}

export class EngineLanguageModel implements LanguageModel {
  readonly tokenizer: Tokenizer;
  readonly vocabSize: number;
  readonly maxContext: number;
  readonly maxBatchSize: number;
  readonly maxBatchTokens: number;
  private readonly rowsPerCall: number;
  /** Positions cached per open sequence (engine sequence id = handle.sequenceId). */
  private readonly lengths = new Map<number, number>();

  constructor(
    private readonly engine: CachedDecodingEngine,
    options: EngineModelOptions,
  ) {
    this.tokenizer = options.tokenizer;
    this.vocabSize = options.vocabSize;
    this.maxContext = options.maxContext;
    this.maxBatchSize = options.maxBatchSize ?? 8;
    this.rowsPerCall = Math.max(1, Math.floor((options.logitsBudget ?? 2 ** 26) / this.vocabSize));
    this.maxBatchTokens = options.maxBatchTokens ?? Math.max(this.maxContext, 2048);
  }

  async prefill(batch: PrefillInput[]): Promise<PrefillOutput[]> {
    const jobs: PrefillJob[] = [];
    try {
      for (const input of batch) {
        // With keep false the last token is only scored, never read.
        const fed = input.keep ? input.tokens : input.tokens.subarray(0, input.tokens.length - 1);
        jobs.push({ input, sequence: this.engine.openSequence(), fed, done: 0, last: null, positions: [] });
      }
      for (let round = jobs.filter((j) => j.done < j.fed.length); round.length > 0; round = round.filter((j) => j.done < j.fed.length)) {
        await this.prefillCall(round);
      }
    } catch (error) {
      for (const job of jobs) this.engine.releaseSequence(job.sequence);
      throw error;
    }
    return jobs.map((job) => {
      const { input } = job;
      const output: PrefillOutput = { handle: null, positions: input.scoreTopK === null ? null : job.positions, next: null };
      if (input.keep) {
        output.next = logSoftmax(job.last!, 0, this.vocabSize);
        output.handle = { sequenceId: job.sequence };
        this.lengths.set(job.sequence, job.fed.length);
      } else {
        this.engine.releaseSequence(job.sequence);
      }
      return output;
    });
  }

  async decode(batch: DecodeInput[]): Promise<Float32Array[]> {
    const feeds = batch.map(({ handle, token }) => {
      const length = this.lengths.get(handle.sequenceId);
      if (length === undefined) throw new Error(`engine model: unknown or released sequence ${handle.sequenceId}`);
      if (length >= this.maxContext) throw new Error(`engine model: sequence ${handle.sequenceId} is full (${this.maxContext} positions)`);
      return { sequence: handle.sequenceId, tokens: Int32Array.of(token) };
    });
    const rows = await this.engine.extendSequences(feeds);
    for (const { sequence } of feeds) this.lengths.set(sequence, this.lengths.get(sequence)! + 1);
    return rows.map((row) => logSoftmax(row, 0, this.vocabSize));
  }

  release(handle: SequenceHandle): void {
    if (!this.lengths.delete(handle.sequenceId)) throw new Error(`engine model: sequence ${handle.sequenceId} released twice`);
    this.engine.releaseSequence(handle.sequenceId);
  }

  /**
   * One engine call over the next piece of each job, within maxBatchTokens new tokens and
   * rowsPerCall returned rows (scoring jobs return a row per token); at least one token goes.
   */
  private async prefillCall(jobs: PrefillJob[]): Promise<void> {
    let tokensLeft = this.maxBatchTokens;
    let rowsLeft = this.rowsPerCall;
    const pieces: { job: PrefillJob; from: number; to: number }[] = [];
    for (const job of jobs) {
      const scoring = job.input.scoreTopK !== null;
      let take = Math.min(job.fed.length - job.done, tokensLeft, scoring ? rowsLeft : Infinity);
      if (!scoring && rowsLeft < 1) take = 0;
      if (pieces.length === 0) take = Math.max(take, 1);
      if (take <= 0) break;
      pieces.push({ job, from: job.done, to: job.done + take });
      tokensLeft -= take;
      rowsLeft -= scoring ? take : 1;
    }
    const rows = await this.engine.extendSequences(
      pieces.map(({ job, from, to }) => ({ sequence: job.sequence, tokens: job.fed.subarray(from, to), allRows: job.input.scoreTopK !== null })),
    );
    for (const [i, { job, from, to }] of pieces.entries()) {
      const logits = rows[i]!;
      const count = logits.length / this.vocabSize;
      if (job.input.scoreTopK !== null) await this.score(job, logits, from);
      job.last = logits.subarray((count - 1) * this.vocabSize);
      job.done = to;
    }
  }

  /** Row r of `logits` follows token from + r and scores input token from + r + 1 (when there is one). */
  private async score(job: PrefillJob, logits: Float32Array, from: number): Promise<void> {
    const { tokens, scoreTopK } = job.input;
    const row = new Float32Array(this.vocabSize);
    const count = logits.length / this.vocabSize;
    for (let r = 0; r < count && from + r + 1 < tokens.length; r++) {
      logSoftmax(logits, r * this.vocabSize, this.vocabSize, row);
      job.positions.push({ logprob: row[tokens[from + r + 1]!]!, top: topLogprobs(row, scoreTopK!) });
      if ((r + 1) % ROWS_PER_TURN === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
