/**
 * Text generation on the native engine's KV cache (Engine.openSequence / extendSequences /
 * releaseSequence): one prefill of the prompt, then one batched decode step per new token.
 * Sampling is GPT-NeoX's rule as `neox serve` applies it (client/serve/sampler.ts): greedy argmax
 * when temperature is 0 and top-k, top-p are off; otherwise temperature scaling, top-k, top-p and
 * one draw from a seeded stream per sequence (client/serve/random.ts), so a fixed seed gives the
 * same ids whatever else runs.
 */
import type { SequenceFeed } from '../../native/ts/native';
import { seededRandom, type RandomSource } from '../serve/random';
import { sampleToken, type SamplingParams } from '../serve/sampler';

/** The engine calls generation needs (the native Engine has them). */
export interface CachedDecodingEngine {
  openSequence(): number;
  extendSequences(feeds: SequenceFeed[]): Promise<Float32Array[]>;
  releaseSequence(id: number): void;
}

export interface GenerateOptions {
  /** New tokens to produce at most (≥ 0). */
  maxTokens: number;
  /** ≥ 0; 0 = greedy when topK and topP are off (default 0). */
  temperature?: number;
  /** Keep the k most likely ids; null, undefined or 0 = off. */
  topK?: number | null;
  /** Nucleus mass in (0, 1]; null, undefined or 1 = off. */
  topP?: number | null;
  /** Seed of the sampling streams (a safe integer; default 0). */
  seed?: number;
  /** Stop when the end-of-document id is drawn; it is not returned (default true). */
  stopAtEod?: boolean;
}

/**
 * Generates up to maxTokens ids after promptIds (an empty prompt starts from eodId). Returns the
 * generated ids only, without a final end-of-document id.
 */
export async function generateIds(
  engine: CachedDecodingEngine,
  promptIds: readonly number[],
  options: GenerateOptions,
  eodId: number | null,
): Promise<number[]> {
  const [ids] = await generateBatch(engine, [promptIds], options, eodId);
  return ids!;
}

/**
 * generateIds for several prompts at once: they share every engine call (one batched prefill, then
 * one decode step per token for the sequences still going). Sequence i samples from stream
 * (seed, i), so its ids equal generateBatch on the same prompts one by one only for greedy
 * decoding or i = 0.
 */
export async function generateBatch(
  engine: CachedDecodingEngine,
  prompts: readonly (readonly number[])[],
  options: GenerateOptions,
  eodId: number | null,
): Promise<number[][]> {
  const params = samplingParams(options);
  const stopAtEod = options.stopAtEod ?? true;
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`generate: seed ${seed} must be a safe integer`);
  const firstTokens = prompts.map((prompt, i) => {
    if (prompt.length > 0) return Int32Array.from(prompt);
    if (eodId === null) throw new RangeError(`generate: prompt ${i} is empty and the tokenizer has no end-of-document id to start from; give a prompt`);
    return Int32Array.of(eodId);
  });
  const outputs: number[][] = prompts.map(() => []);
  if (options.maxTokens === 0 || prompts.length === 0) return outputs;
  const randoms: RandomSource[] = prompts.map((_, i) => seededRandom(seed, i));
  const sequences = prompts.map(() => engine.openSequence());
  try {
    let active = prompts.map((_, i) => i);
    let rows = await engine.extendSequences(active.map((i) => ({ sequence: sequences[i]!, tokens: firstTokens[i]! })));
    while (active.length > 0) {
      const feeds: SequenceFeed[] = [];
      const still: number[] = [];
      for (const [r, i] of active.entries()) {
        const token = sampleToken(rows[r]!, params, randoms[i]!);
        if (stopAtEod && token === eodId) continue;
        outputs[i]!.push(token);
        if (outputs[i]!.length >= options.maxTokens) continue; // the last token is never fed
        still.push(i);
        feeds.push({ sequence: sequences[i]!, tokens: Int32Array.of(token) });
      }
      active = still;
      if (active.length > 0) rows = await engine.extendSequences(feeds);
    }
  } finally {
    for (const id of sequences) engine.releaseSequence(id);
  }
  return outputs;
}

/** The sampler's parameters from the options, refusing out-of-range values by name. */
export function samplingParams(options: GenerateOptions): SamplingParams {
  const { maxTokens } = options;
  if (!Number.isSafeInteger(maxTokens) || maxTokens < 0) throw new RangeError(`generate: maxTokens ${maxTokens} must be an integer >= 0`);
  const temperature = options.temperature ?? 0;
  if (!(temperature >= 0) || !Number.isFinite(temperature)) throw new RangeError(`generate: temperature ${temperature} must be a finite number >= 0 (0 = greedy)`);
  const topK = options.topK ?? 0;
  if (!Number.isSafeInteger(topK) || topK < 0) throw new RangeError(`generate: topK ${topK} must be an integer >= 0 (0 = off)`);
  const topP = options.topP ?? 1;
  if (!(topP > 0 && topP <= 1)) throw new RangeError(`generate: topP ${topP} must be in (0, 1] (1 = off)`);
  return { temperature, topK, topP };
}
