/**
 * Picks the next token from a log-softmax row by GPT-NeoX's rule (text_generation_utils.py,
 * docs/gpt-neox-reference.md §8), written with OpenAI's parameter conventions:
 *
 * - greedy argmax when temperature = 0, top_k = 0 and top_p = 1 (OpenAI's "off"; GPT-NeoX writes 0);
 * - otherwise scores = row / temperature (only when temperature > 0), top-k keeps scores ≥ the k-th
 *   largest, top-p (< 1, after top-k) keeps the smallest prefix of the sorted survivors whose
 *   cumulative probability exceeds p, always keeping the first one, and one token is drawn from the
 *   softmax of what is left. So temperature 0 with top_p < 1 or top_k > 0 samples, unscaled.
 */
import type { RandomSource } from './random';
import { argmax } from './top-logprobs';

export interface SamplingParams {
  /** ≥ 0; 0 = no scaling (greedy when top_k and top_p are off). */
  temperature: number;
  /** ≥ 0; 0 = off. */
  topK: number;
  /** In [0, 1]; 1 = off. */
  topP: number;
}

export function isGreedy(params: SamplingParams): boolean {
  return params.temperature === 0 && params.topK === 0 && params.topP === 1;
}

export function sampleToken(row: Float32Array, params: SamplingParams, random: RandomSource): number {
  if (isGreedy(params)) return argmax(row);
  const scale = params.temperature > 0 ? 1 / params.temperature : 1;
  let ids = keepTopK(row, params.topK);
  let best = -Infinity;
  for (const id of ids) best = Math.max(best, row[id]! * scale);
  if (params.topP < 1) {
    ids = keepTopP(row, ids, scale, best, params.topP);
  }
  // Softmax over the survivors, shifted by the best score; then one inverse-CDF draw.
  const weights = new Float64Array(ids.length);
  let total = 0;
  for (let j = 0; j < ids.length; j++) {
    weights[j] = Math.exp(row[ids[j]!]! * scale - best);
    total += weights[j]!;
  }
  let u = random() * total;
  for (let j = 0; j < ids.length; j++) {
    u -= weights[j]!;
    if (u < 0) return ids[j]!;
  }
  return ids[ids.length - 1]!; // rounding left u ≥ 0 after the last weight
}

/** Ids whose value is ≥ the k-th largest (all ids when k is 0 or ≥ V), ascending. */
function keepTopK(row: Float32Array, k: number): number[] {
  const ids: number[] = [];
  if (k <= 0 || k >= row.length) {
    for (let i = 0; i < row.length; i++) ids.push(i);
    return ids;
  }
  const threshold = Float32Array.from(row).sort()[row.length - k]!;
  for (let i = 0; i < row.length; i++) if (row[i]! >= threshold) ids.push(i);
  return ids;
}

/** GPT-NeoX's nucleus: sorted descending, drop an entry when the mass before it already exceeds p. */
function keepTopP(row: Float32Array, ids: number[], scale: number, best: number, p: number): number[] {
  const sorted = ids.slice().sort((a, b) => row[b]! - row[a]! || a - b);
  let total = 0;
  for (const id of sorted) total += Math.exp(row[id]! * scale - best);
  const kept: number[] = [];
  let before = 0;
  for (const id of sorted) {
    if (kept.length > 0 && before / total > p) break;
    kept.push(id);
    before += Math.exp(row[id]! * scale - best);
  }
  return kept;
}
