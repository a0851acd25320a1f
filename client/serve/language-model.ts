/**
 * The model interface `neox serve` runs on: batched prefill with per-position log-probabilities,
 * then one-token decode steps on a per-sequence cache handle. The native engine implements it (see
 * README.md for the exact contract); reference/reference-model.ts is the TypeScript test fixture.
 * Everything the server adds (sampling, stop strings, text, batching across requests) lives on
 * this side, so an engine only computes log-softmax rows.
 */
import type { Tokenizer } from '../../common/tokenizer';

/** Opaque per-sequence state (the KV cache). Created by prefill, ended by release. */
export interface SequenceHandle {
  readonly sequenceId: number;
}

export interface TokenLogprob {
  id: number;
  logprob: number;
}

/** What the model says about one prompt position k ≥ 1, from the log-softmax row after tokens[0..k). */
export interface PositionLogprobs {
  /** log p(tokens[k] | tokens[0..k)); the row's value at tokens[k]. */
  logprob: number;
  /** The row's `topK` largest entries, by logprob descending, then id ascending. Taken from the
   *  same row as `logprob`, so logprob === top[0].logprob exactly when tokens[k] is the argmax. */
  top: TokenLogprob[];
}

export interface PrefillInput {
  /** The prompt, 1 ≤ length; every id in [0, vocabSize). */
  tokens: Int32Array;
  /** null: no per-position scores. k ≥ 0: return `positions` with the top-k alternatives each. */
  scoreTopK: number | null;
  /**
   * true: the sequence goes on; the model reads every token (length ≤ maxContext), keeps its cache
   * and returns `handle` and `next`. false: scoring only; the model need not read the last token
   * (length ≤ maxContext + 1), returns handle null and next null.
   */
  keep: boolean;
}

export interface PrefillOutput {
  handle: SequenceHandle | null;
  /** positions[k − 1] for k = 1 … length − 1; null when scoreTopK was null. */
  positions: PositionLogprobs[] | null;
  /** The log-softmax over all vocabSize ids after the last token (natural log, temperature 1). */
  next: Float32Array | null;
}

export interface DecodeInput {
  handle: SequenceHandle;
  /** Appended to the sequence; the result is the log-softmax row after it. */
  token: number;
}

export interface LanguageModel {
  /** Most positions a sequence may hold (prompt plus fed generated tokens). */
  readonly maxContext: number;
  /** Rows have this many entries (GPT-NeoX's padded vocabulary, V_pad). */
  readonly vocabSize: number;
  readonly tokenizer: Tokenizer;
  /** Most sequences per prefill or decode call; the scheduler never exceeds it. */
  readonly maxBatchSize: number;
  /** Prompt tokens per prefill call the scheduler aims for (one longer prompt still goes alone). */
  readonly maxBatchTokens: number;
  /** One output per input, in order. Rejecting fails the whole batch. */
  prefill(batch: PrefillInput[]): Promise<PrefillOutput[]>;
  /** One row (Float32Array of vocabSize) per input, in order. Rejecting fails the whole batch. */
  decode(batch: DecodeInput[]): Promise<Float32Array[]>;
  /** Frees a handle's cache. Called exactly once per handle, also after failures. */
  release(handle: SequenceHandle): void;
}
