/**
 * Log-likelihoods of token requests on a model that computes full-sequence logits
 * (`Engine.logits`), batched. Each request is cut as lm-evaluation-harness's API models cut it
 * (the last `maxLength` tokens of context + continuation; the final token is only predicted,
 * never read), requests are sorted longest first, right-padded into batches of at most
 * `batchSize` rows and `logitsBudget` floats, and every continuation token is scored from the
 * row before it:
 *   logprob = float32(logit − logsumexp(row)) (log-softmax over all V_pad entries, accumulated
 *   in float64, stored as float32, as neox serve reports it), summed in float64 in order;
 *   greedy  = every token's logprob equals its row's largest (lm-eval's is_greedy).
 */
import type { TokenRequest } from './requests';

export interface LogitsModel {
  /** batch × seqLen × vocabSize logits of batch × seqLen input ids. */
  logits(tokens: Int32Array, batch: number, seqLen: number): Promise<Float32Array>;
}

export interface ScorerOptions {
  vocabSize: number;
  /** Most tokens of a request kept (context + continuation): lm-eval's internal max_length (its model argument − 1). */
  maxLength: number;
  /** Rows per engine call (default 8). */
  batchSize?: number;
  /** Most logits floats per engine call (default 2^26); one row always goes. */
  logitsBudget?: number;
}

export interface Score {
  logprob: number;
  greedy: boolean;
  /** Continuation tokens scored. */
  tokens: number;
}

/** What one request feeds and scores after truncation. */
interface Prepared {
  input: number[];
  /** Rows of `input` whose next token is scored: [first, input.length). */
  first: number;
  targets: number[];
}

function prepare(request: TokenRequest, maxLength: number): Prepared {
  const all = [...request.context, ...request.continuation];
  const kept = all.slice(-maxLength);
  const contextLength = request.context.length - Math.max(0, all.length - maxLength);
  if (contextLength < 1) throw new RangeError(`a continuation of ${request.continuation.length} tokens does not fit max_length ${maxLength} with at least one context token`);
  return { input: kept.slice(0, -1), first: contextLength - 1, targets: kept.slice(contextLength) };
}

export class LoglikelihoodScorer {
  private readonly batchSize: number;
  private readonly budget: number;

  constructor(private readonly model: LogitsModel, private readonly options: ScorerOptions) {
    this.batchSize = options.batchSize ?? 8;
    this.budget = options.logitsBudget ?? 2 ** 26;
  }

  async score(requests: TokenRequest[]): Promise<Score[]> {
    const prepared = requests.map((r) => prepare(r, this.options.maxLength));
    const results: Score[] = new Array(requests.length);
    const order = prepared.map((_, i) => i).sort((a, b) => prepared[b]!.input.length - prepared[a]!.input.length || a - b);
    for (const i of order) if (prepared[i]!.targets.length === 0) results[i] = { logprob: 0, greedy: true, tokens: 0 };
    const pending = order.filter((i) => prepared[i]!.targets.length > 0);
    const V = this.options.vocabSize;
    let start = 0;
    while (start < pending.length) {
      const width = prepared[pending[start]!]!.input.length; // longest first
      const rows = Math.max(1, Math.min(this.batchSize, Math.floor(this.budget / (width * V))));
      const chunk = pending.slice(start, start + rows);
      const tokens = new Int32Array(chunk.length * width); // right-padded with id 0
      chunk.forEach((i, r) => tokens.set(prepared[i]!.input, r * width));
      const logits = await this.model.logits(tokens, chunk.length, width);
      chunk.forEach((i, r) => {
        results[i] = scoreRows(logits, prepared[i]!, (k) => (r * width + k) * V, V);
      });
      start += chunk.length;
    }
    return results;
  }
}

function scoreRows(logits: Float32Array, p: Prepared, rowAt: (k: number) => number, V: number): Score {
  let logprob = 0;
  let greedy = true;
  p.targets.forEach((target, j) => {
    const offset = rowAt(p.first + j);
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, logits[offset + v]!);
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(logits[offset + v]! - max);
    const logSum = max + Math.log(sum);
    const value = Math.fround(logits[offset + target]! - logSum);
    logprob += value;
    if (value !== Math.fround(max - logSum)) greedy = false;
  });
  return { logprob, greedy, tokens: p.targets.length };
}
