/**
 * A deterministic reference LanguageModel in TypeScript: a TEST FIXTURE for the server and the
 * lm-evaluation-harness tests, not a product model. Its logits are fixed pseudo-random functions of
 * the previous two tokens and the position, minus a penalty for tokens already in the sequence:
 *
 *   z_v = 2.5·u(a, v) + 1.25·u'(b, v) + 0.5·u''(t mod 7, v) − min(count_v, 4) − 3·[v is not plain text]
 *
 * (a = last token, b = the one before, t = sequence length, u ∈ [−1, 1) from an integer hash; the
 * last term makes lone UTF-8 bytes and control characters rare; padded ids beyond the tokenizer get z = −12 + u), then a
 * real log-softmax in float64 rounded to float32 like an engine's output. Every row depends on the whole prefix (through the counts) and
 * on the position, so cache, batching or offset mistakes change the numbers.
 */
import type { Tokenizer } from '../../../common/tokenizer';
import type { DecodeInput, LanguageModel, PositionLogprobs, PrefillInput, PrefillOutput, SequenceHandle } from '../language-model';
import { topLogprobs } from '../top-logprobs';

export interface ReferenceModelOptions {
  tokenizer: Tokenizer;
  /** Default 256. */
  maxContext?: number;
  /** Row length; default: the tokenizer's vocabulary rounded up to a multiple of 64. */
  vocabSize?: number;
  /** Default 16. */
  maxBatchSize?: number;
  /** Default 4096. */
  maxBatchTokens?: number;
  /** Each model call first waits this long, like an engine's latency (default 0). */
  callDelayMs?: number;
}

interface SequenceState {
  tokens: number[];
  counts: Uint8Array;
}

const PADDED_LOGIT = -12;

export class ReferenceModel implements LanguageModel {
  readonly tokenizer: Tokenizer;
  readonly maxContext: number;
  readonly vocabSize: number;
  readonly maxBatchSize: number;
  readonly maxBatchTokens: number;
  private readonly callDelayMs: number;
  private readonly live = new Map<number, SequenceState>();
  /** −3 for ids whose text is empty, a control character or not whole characters, else 0. */
  private readonly bias: Float64Array;
  private nextId = 1;

  constructor(options: ReferenceModelOptions) {
    this.tokenizer = options.tokenizer;
    this.maxContext = options.maxContext ?? 256;
    this.vocabSize = options.vocabSize ?? Math.ceil(options.tokenizer.vocabSize / 64) * 64;
    this.maxBatchSize = options.maxBatchSize ?? 16;
    this.maxBatchTokens = options.maxBatchTokens ?? 4096;
    this.callDelayMs = options.callDelayMs ?? 0;
    this.bias = new Float64Array(this.tokenizer.vocabSize);
    for (let v = 0; v < this.bias.length; v++) {
      const text = this.tokenizer.decode([v]);
      if (!/^[\n\x20-\x7e\u00a0-\ufffc]+$/.test(text)) this.bias[v] = -3;
    }
  }

  /** Handles not released yet. */
  get liveHandles(): number {
    return this.live.size;
  }

  /** The log-softmax row after `prefix` (length ≥ 1), computed from scratch: the model as a function. */
  nextRow(prefix: ArrayLike<number>): Float32Array {
    const state = this.newState();
    for (let k = 0; k < prefix.length; k++) this.append(state, prefix[k]!);
    return this.row(state);
  }

  async prefill(batch: PrefillInput[]): Promise<PrefillOutput[]> {
    await this.delay();
    for (const input of batch) {
      const limit = input.keep ? this.maxContext : this.maxContext + 1;
      if (input.tokens.length === 0 || input.tokens.length > limit) {
        throw new Error(`reference model: a prompt of ${input.tokens.length} tokens does not fit (1 to ${limit})`);
      }
    }
    const outputs: PrefillOutput[] = [];
    for (const input of batch) {
      const state = this.newState();
      const positions: PositionLogprobs[] | null = input.scoreTopK === null ? null : [];
      input.tokens.forEach((token, k) => {
        if (positions !== null && k > 0) {
          const row = this.row(state);
          positions.push({ logprob: row[token]!, top: topLogprobs(row, input.scoreTopK!) });
        }
        this.append(state, token);
      });
      if (input.keep) {
        const handle = { sequenceId: this.nextId++ };
        this.live.set(handle.sequenceId, state);
        outputs.push({ handle, positions, next: this.row(state) });
      } else {
        outputs.push({ handle: null, positions, next: null });
      }
      await new Promise<void>((resolve) => setImmediate(resolve)); // long prompts do not hold the event loop
    }
    return outputs;
  }

  async decode(batch: DecodeInput[]): Promise<Float32Array[]> {
    await this.delay();
    return batch.map(({ handle, token }) => {
      const state = this.live.get(handle.sequenceId);
      if (state === undefined) throw new Error(`reference model: unknown or released sequence ${handle.sequenceId}`);
      if (state.tokens.length >= this.maxContext) throw new Error(`reference model: sequence ${handle.sequenceId} is full (${this.maxContext} positions)`);
      this.append(state, token);
      return this.row(state);
    });
  }

  release(handle: SequenceHandle): void {
    if (!this.live.delete(handle.sequenceId)) throw new Error(`reference model: sequence ${handle.sequenceId} released twice`);
  }

  private delay(): Promise<void> {
    return this.callDelayMs > 0 ? new Promise((resolve) => setTimeout(resolve, this.callDelayMs)) : Promise.resolve();
  }

  private newState(): SequenceState {
    return { tokens: [], counts: new Uint8Array(this.vocabSize) };
  }

  private append(state: SequenceState, token: number): void {
    if (!Number.isInteger(token) || token < 0 || token >= this.vocabSize) throw new Error(`reference model: token ${token} is outside [0, ${this.vocabSize})`);
    state.tokens.push(token);
    if (state.counts[token]! < 255) state.counts[token] += 1;
  }

  private row(state: SequenceState): Float32Array {
    const n = state.tokens.length;
    const a = state.tokens[n - 1]!;
    const b = n >= 2 ? state.tokens[n - 2]! : this.vocabSize;
    const t = n % 7;
    const known = this.tokenizer.vocabSize;
    const logits = new Float64Array(this.vocabSize);
    let max = -Infinity;
    for (let v = 0; v < this.vocabSize; v++) {
      const z =
        v < known
          ? 2.5 * unit(1, a, v) + 1.25 * unit(2, b, v) + 0.5 * unit(3, t, v) - Math.min(state.counts[v]!, 4) + this.bias[v]!
          : PADDED_LOGIT + unit(4, a, v);
      logits[v] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let v = 0; v < this.vocabSize; v++) sum += Math.exp(logits[v]! - max);
    const logSum = max + Math.log(sum);
    const row = new Float32Array(this.vocabSize);
    for (let v = 0; v < this.vocabSize; v++) row[v] = logits[v]! - logSum;
    return row;
  }
}

/** A fixed pseudo-random number in [−1, 1) for (table, x, y): a murmur3-style integer mix. */
function unit(table: number, x: number, y: number): number {
  let h = Math.imul(table, 0x9e3779b1) ^ Math.imul(x + 1, 0x85ebca6b) ^ Math.imul(y + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 2147483648 - 1;
}
