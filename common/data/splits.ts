/**
 * GPT-NeoX's train/valid/test split of one dataset's documents (`split`, data_path mode only):
 * contiguous ranges from weights rounded half-to-even, with the rounding remainder moving every
 * boundary (gpt-neox data_utils.get_train_valid_test_split_; docs/gpt-neox-reference.md §4.4).
 */
import { ConfigError } from '../errors';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Python's round() for a float: nearest integer, ties to even. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** The three split weights of a `split` string such as "969, 30, 1" or "98/1/1", normalized to sum 1. */
export function parseSplit(text: string): [number, number, number] {
  const separator = text.includes(',') ? ',' : text.includes('/') ? '/' : null;
  const parts = (separator ? text.split(separator) : [text]).map((part) => {
    const trimmed = part.trim();
    if (!NUMBER.test(trimmed)) {
      throw new ConfigError(`split "${text}" has "${part}", which is not a number; write weights like "969, 30, 1" or "98/1/1"`, 'split');
    }
    const value = Number(trimmed);
    if (value < 0) throw new ConfigError(`split "${text}" has the negative weight ${trimmed}; weights must be ≥ 0`, 'split');
    return value;
  });
  while (parts.length < 3) parts.push(0);
  const kept = parts.slice(0, 3) as [number, number, number];
  const sum = kept[0] + kept[1] + kept[2];
  if (!(sum > 0)) throw new ConfigError(`split "${text}" has weights summing to ${sum}; at least one of the first three must be > 0`, 'split');
  return kept.map((w) => w / sum) as [number, number, number];
}

/** Document boundaries [0, trainEnd, validEnd, size] for `size` documents. */
export function splitBoundaries(text: string, size: number): [number, number, number, number] {
  const weights = parseSplit(text);
  const index = [0];
  for (const w of weights) index.push(index[index.length - 1]! + roundHalfEven(w * size));
  const diff = index[3]! - size;
  for (let i = 1; i < 4; i++) index[i]! -= diff;
  return index as [number, number, number, number];
}
