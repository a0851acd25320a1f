/**
 * A LanguageModel over an engine that can only compute full-sequence logits (the native Engine's
 * `logits(tokens, batch, seqLen)` today). FIRST VERSION, NO KV CACHE: a handle keeps the token
 * list, and every decode step runs the whole sequence again, so a step costs O(length) instead of
 * O(1). Sequences of a call are right-padded to the longest (causal attention: padding after a
 * position cannot change it) and split into engine calls of at most `logitsBudget` floats.
 * Log-softmax and top-k run here, yielding to the event loop between rows.
 */
import type { Tokenizer } from '../../common/tokenizer';
import type { DecodeInput, LanguageModel, PositionLogprobs, PrefillInput, PrefillOutput, SequenceHandle } from './language-model';
import { logSoftmax } from './log-softmax';
import { topLogprobs } from './top-logprobs';

export interface LogitsEngine {
  /** batch × seqLen × vocabSize logits of batch × seqLen input ids. */
  logits(tokens: Int32Array, batch: number, seqLen: number): Promise<Float32Array>;
}

export interface EngineModelOptions {
  tokenizer: Tokenizer;
  /** Rows of the logits: the config's padded_vocab_size. */
  vocabSize: number;
  maxContext: number;
  /** Default 8. */
  maxBatchSize?: number;
  /** Most logits floats per engine call (default 2^26 = 256 MiB); one sequence always goes. */
  logitsBudget?: number;
}

/** Rows between event-loop turns while computing log-softmax rows. */
const ROWS_PER_TURN = 16;

export class EngineLanguageModel implements LanguageModel {
  readonly tokenizer: Tokenizer;
  readonly vocabSize: number;
  readonly maxContext: number;
  readonly maxBatchSize: number;
  readonly maxBatchTokens: number;
  private readonly budget: number;
  private readonly sequences = new Map<number, number[]>();
  private nextId = 1;

  constructor(
    private readonly engine: LogitsEngine,
    options: EngineModelOptions,
  ) {
    this.tokenizer = options.tokenizer;
    this.vocabSize = options.vocabSize;
    this.maxContext = options.maxContext;
    this.maxBatchSize = options.maxBatchSize ?? 8;
    this.budget = options.logitsBudget ?? 2 ** 26;
    this.maxBatchTokens = Math.max(this.maxContext, Math.floor(this.budget / this.vocabSize));
  }

  async prefill(batch: PrefillInput[]): Promise<PrefillOutput[]> {
    const outputs: PrefillOutput[] = batch.map(() => ({ handle: null, positions: null, next: null }));
    // With keep false the last token is only scored, never read.
    const fed = batch.map((input) => Array.from(input.keep ? input.tokens : input.tokens.subarray(0, input.tokens.length - 1)));
    await this.forward(fed, async (i, logits, rowAt) => {
      const input = batch[i]!;
      const output = outputs[i]!;
      if (input.scoreTopK !== null) output.positions = await this.score(input, logits, rowAt);
      if (input.keep) {
        output.next = logSoftmax(logits, rowAt(fed[i]!.length - 1), this.vocabSize);
        const handle = { sequenceId: this.nextId++ };
        this.sequences.set(handle.sequenceId, fed[i]!);
        output.handle = handle;
      }
    });
    for (const [i, input] of batch.entries()) if (input.scoreTopK !== null) outputs[i]!.positions ??= [];
    return outputs;
  }

  async decode(batch: DecodeInput[]): Promise<Float32Array[]> {
    const sequences = batch.map(({ handle, token }) => {
      const tokens = this.sequences.get(handle.sequenceId);
      if (tokens === undefined) throw new Error(`engine model: unknown or released sequence ${handle.sequenceId}`);
      if (tokens.length >= this.maxContext) throw new Error(`engine model: sequence ${handle.sequenceId} is full (${this.maxContext} positions)`);
      tokens.push(token);
      return tokens;
    });
    const rows: Float32Array[] = new Array(batch.length);
    await this.forward(sequences, async (i, logits, rowAt) => {
      rows[i] = logSoftmax(logits, rowAt(sequences[i]!.length - 1), this.vocabSize);
    });
    return rows;
  }

  release(handle: SequenceHandle): void {
    if (!this.sequences.delete(handle.sequenceId)) throw new Error(`engine model: sequence ${handle.sequenceId} released twice`);
  }

  /** Row k (k ≥ 1) scores tokens[k] from the log-softmax of logits row k − 1. */
  private async score(input: PrefillInput, logits: Float32Array, rowAt: (k: number) => number): Promise<PositionLogprobs[]> {
    const row = new Float32Array(this.vocabSize);
    const positions: PositionLogprobs[] = [];
    for (let k = 1; k < input.tokens.length; k++) {
      logSoftmax(logits, rowAt(k - 1), this.vocabSize, row);
      positions.push({ logprob: row[input.tokens[k]!]!, top: topLogprobs(row, input.scoreTopK!) });
      if (k % ROWS_PER_TURN === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return positions;
  }

  /**
   * Runs the engine over `sequences` (empty ones skipped) in calls within the budget, and calls
   * `visit` for each sequence with its call's logits and the offset of its row k.
   */
  private async forward(sequences: number[][], visit: (i: number, logits: Float32Array, rowAt: (k: number) => number) => Promise<void>): Promise<void> {
    const order = sequences.map((_, i) => i).filter((i) => sequences[i]!.length > 0);
    let start = 0;
    while (start < order.length) {
      let end = start + 1;
      let longest = sequences[order[start]!]!.length;
      while (end < order.length) {
        const next = Math.max(longest, sequences[order[end]!]!.length);
        if ((end - start + 1) * next * this.vocabSize > this.budget) break;
        longest = next;
        end++;
      }
      const chunk = order.slice(start, end);
      const tokens = new Int32Array(chunk.length * longest); // padded with id 0
      chunk.forEach((i, r) => tokens.set(sequences[i]!, r * longest));
      const logits = await this.engine.logits(tokens, chunk.length, longest);
      for (const [r, i] of chunk.entries()) await visit(i, logits, (k) => (r * longest + k) * this.vocabSize);
      start = end;
    }
  }
}
