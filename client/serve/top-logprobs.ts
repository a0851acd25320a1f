/**
 * Reading a log-softmax row: its argmax and its k largest entries, both with ties broken by the
 * smaller id, so the greedy token is always top[0] and the two never disagree.
 */
import type { TokenLogprob } from './language-model';

/** Index of the largest entry (the first one among equals). */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  let bestValue = row[0]!;
  for (let i = 1; i < row.length; i++) {
    const value = row[i]!;
    if (value > bestValue) {
      best = i;
      bestValue = value;
    }
  }
  return best;
}

/** The k largest entries, logprob descending then id ascending; one pass, O(V·k) worst case. */
export function topLogprobs(row: ArrayLike<number>, k: number): TokenLogprob[] {
  const size = Math.min(k, row.length);
  if (size <= 0) return [];
  const ids = new Int32Array(size);
  const values = new Float64Array(size);
  let filled = 0;
  for (let i = 0; i < row.length; i++) {
    const value = row[i]!;
    // Strictly greater than the current k-th: ids arrive ascending, so an equal value keeps the older id.
    if (filled === size && !(value > values[size - 1]!)) continue;
    let slot = filled < size ? filled++ : size - 1;
    while (slot > 0 && value > values[slot - 1]!) {
      values[slot] = values[slot - 1]!;
      ids[slot] = ids[slot - 1]!;
      slot--;
    }
    values[slot] = value;
    ids[slot] = i;
  }
  const out: TokenLogprob[] = new Array(size);
  for (let j = 0; j < size; j++) out[j] = { id: ids[j]!, logprob: row[ids[j]!]! };
  return out;
}
