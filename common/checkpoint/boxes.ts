/**
 * Boxes: axis-aligned slices of a global tensor. A rank stores the boxes it holds; a loader at
 * another layout assembles the boxes it needs from whatever boxes were stored.
 */
import type { TensorData } from './dtypes';

export interface Box {
  start: number[];
  shape: number[];
}

export function boxVolume(box: Box): number {
  return box.shape.reduce((a, b) => a * b, 1);
}

/** The overlap of two boxes of the same tensor, or null when they do not overlap. */
export function intersectBoxes(a: Box, b: Box): Box | null {
  const start: number[] = [];
  const shape: number[] = [];
  for (let d = 0; d < a.start.length; d++) {
    const lo = Math.max(a.start[d]!, b.start[d]!);
    const hi = Math.min(a.start[d]! + a.shape[d]!, b.start[d]! + b.shape[d]!);
    if (hi <= lo) return null;
    start.push(lo);
    shape.push(hi - lo);
  }
  return { start, shape };
}

/** Row-major flat index of global position `at` inside `box`. */
export function flatIndexIn(box: Box, at: number[]): number {
  let index = 0;
  for (let d = 0; d < box.shape.length; d++) index = index * box.shape[d]! + (at[d]! - box.start[d]!);
  return index;
}

/**
 * Copies `region` (in global coordinates, inside both boxes) from `source` (holding `sourceBox`,
 * row-major, beginning at flat element `sourceOffset` of that box) into `target` (holding
 * `targetBox`). Runs along the last dimension are copied with one `set` each.
 */
export function copyRegion(
  source: TensorData, sourceBox: Box, sourceOffset: number,
  target: TensorData, targetBox: Box, region: Box,
): void {
  const rank = region.shape.length;
  if (rank === 0) {
    (target as Float32Array).set((source as Float32Array).subarray(0, 1), 0);
    return;
  }
  const run = region.shape[rank - 1]!;
  const outer = region.shape.slice(0, rank - 1);
  const counter = new Array<number>(rank - 1).fill(0);
  const at = region.start.slice();
  const total = outer.reduce((a, b) => a * b, 1);
  for (let i = 0; i < total; i++) {
    for (let d = 0; d < rank - 1; d++) at[d] = region.start[d]! + counter[d]!;
    at[rank - 1] = region.start[rank - 1]!;
    const from = flatIndexIn(sourceBox, at) - sourceOffset;
    const to = flatIndexIn(targetBox, at);
    (target as Float32Array).set((source as Float32Array).subarray(from, from + run), to);
    for (let d = rank - 2; d >= 0; d--) {
      if (++counter[d]! < outer[d]!) break;
      counter[d] = 0;
    }
  }
}
