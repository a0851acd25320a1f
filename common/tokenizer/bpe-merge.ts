/**
 * The BPE merge loop: repeatedly merge the adjacent pair with the lowest rank, the leftmost one
 * on ties, until no pair merges. This is the order Hugging Face's heap-based `merge_all` and
 * tiktoken's `_byte_pair_merge` both produce. Short words use a linear scan (cheapest for the
 * usual 2–20 symbols); long words a binary heap over a linked list, O(n log n).
 */
import type { PairTable } from './pair-table';

const NONE = 0x7fffffff;
const LINEAR_LIMIT = 96;

/** Merges `symbols[0..length)` in place; returns the new length. */
export function mergeSymbols(table: PairTable, symbols: Int32Array, length: number): number {
  if (length < 2) return length;
  return length <= LINEAR_LIMIT ? mergeLinear(table, symbols, length) : mergeHeap(table, symbols, length);
}

const pairRank = new Int32Array(LINEAR_LIMIT);
const pairSlot = new Int32Array(LINEAR_LIMIT);

function mergeLinear(table: PairTable, sym: Int32Array, length: number): number {
  const ranks = table.ranks;
  for (let k = 0; k + 1 < length; k++) {
    const slot = table.find(sym[k]!, sym[k + 1]!);
    pairSlot[k] = slot;
    pairRank[k] = slot < 0 ? NONE : ranks[slot]!;
  }
  for (;;) {
    let best = -1;
    let bestRank = NONE;
    for (let k = 0; k + 1 < length; k++) {
      const r = pairRank[k]!;
      if (r < bestRank) {
        bestRank = r;
        best = k;
      }
    }
    if (best < 0) return length;
    sym[best] = table.mergedIds[pairSlot[best]!]!;
    for (let k = best + 1; k + 1 < length; k++) {
      sym[k] = sym[k + 1]!;
      pairRank[k] = pairRank[k + 1]!;
      pairSlot[k] = pairSlot[k + 1]!;
    }
    length--;
    if (best > 0) {
      const slot = table.find(sym[best - 1]!, sym[best]!);
      pairSlot[best - 1] = slot;
      pairRank[best - 1] = slot < 0 ? NONE : ranks[slot]!;
    }
    if (best + 1 < length) {
      const slot = table.find(sym[best]!, sym[best + 1]!);
      pairSlot[best] = slot;
      pairRank[best] = slot < 0 ? NONE : ranks[slot]!;
    }
  }
}

// Scratch arrays for mergeHeap, grown on demand and reused across words.
let prev = new Int32Array(0);
let next = new Int32Array(0);
let heapKey = new Float64Array(0);
let heapPos = new Int32Array(0);
let heapMerged = new Int32Array(0);
/** Heap keys order by rank, then position: rank * 2^26 + position (exact in a double). */
const POSITION_SPAN = 2 ** 26;

function mergeHeap(table: PairTable, sym: Int32Array, length: number): number {
  if (length >= POSITION_SPAN) throw new RangeError(`a word of ${length} symbols is too long for the BPE merge loop`);
  if (prev.length < length) {
    prev = new Int32Array(length * 2);
    next = new Int32Array(length * 2);
  }
  // at most length - 1 initial pairs plus two per merge
  if (heapKey.length < 3 * length) {
    heapKey = new Float64Array(3 * length * 2);
    heapPos = new Int32Array(3 * length * 2);
    heapMerged = new Int32Array(3 * length * 2);
  }
  const pv = prev;
  const nx = next;
  const keys = heapKey;
  const positions = heapPos;
  const merges = heapMerged;
  const ranks = table.ranks;
  const mergedIds = table.mergedIds;
  let size = 0;
  for (let k = 0; k < length; k++) {
    pv[k] = k - 1;
    nx[k] = k + 1 < length ? k + 1 : -1;
    if (k + 1 < length) {
      const slot = table.find(sym[k]!, sym[k + 1]!);
      if (slot >= 0) {
        keys[size] = ranks[slot]! * POSITION_SPAN + k;
        positions[size] = k;
        merges[size++] = mergedIds[slot]!;
      }
    }
  }
  const siftDown = (i: number, key: number, pos: number, merged: number): void => {
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && keys[c + 1]! < keys[c]!) c++;
      if (keys[c]! >= key) break;
      keys[i] = keys[c]!;
      positions[i] = positions[c]!;
      merges[i] = merges[c]!;
      i = c;
    }
    keys[i] = key;
    positions[i] = pos;
    merges[i] = merged;
  };
  for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(i, keys[i]!, positions[i]!, merges[i]!);
  const offer = (pos: number): void => {
    const right = nx[pos]!;
    if (right < 0) return;
    const slot = table.find(sym[pos]!, sym[right]!);
    if (slot < 0) return;
    const key = ranks[slot]! * POSITION_SPAN + pos;
    let i = size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent]! <= key) break;
      keys[i] = keys[parent]!;
      positions[i] = positions[parent]!;
      merges[i] = merges[parent]!;
      i = parent;
    }
    keys[i] = key;
    positions[i] = pos;
    merges[i] = mergedIds[slot]!;
  };
  while (size > 0) {
    const pos = positions[0]!;
    const merged = merges[0]!;
    size--;
    if (size > 0) siftDown(0, keys[size]!, positions[size]!, merges[size]!);
    if (sym[pos] === -1) continue; // merged into its left neighbour
    const right = nx[pos]!;
    if (right < 0) continue;
    const slot = table.find(sym[pos]!, sym[right]!);
    if (slot < 0 || mergedIds[slot] !== merged) continue; // stale entry
    sym[pos] = merged;
    sym[right] = -1;
    const after = nx[right]!;
    nx[pos] = after;
    if (after >= 0) pv[after] = pos;
    if (pv[pos]! >= 0) offer(pv[pos]!);
    offer(pos);
  }
  let n = 0;
  for (let k = 0; k < length; k++) if (sym[k] !== -1) sym[n++] = sym[k]!;
  return n;
}
