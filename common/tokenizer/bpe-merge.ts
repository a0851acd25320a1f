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

function mergeHeap(table: PairTable, sym: Int32Array, length: number): number {
  const prev = new Int32Array(length);
  const next = new Int32Array(length);
  const alive = new Uint8Array(length).fill(1);
  for (let k = 0; k < length; k++) {
    prev[k] = k - 1;
    next[k] = k + 1 < length ? k + 1 : -1;
  }
  // heap entries: rank, position, merged id
  let hr = new Int32Array(length * 2);
  let hp = new Int32Array(length * 2);
  let hm = new Int32Array(length * 2);
  let size = 0;
  const less = (i: number, j: number): boolean => hr[i]! < hr[j]! || (hr[i] === hr[j] && hp[i]! < hp[j]!);
  const swap = (i: number, j: number): void => {
    let t = hr[i]!; hr[i] = hr[j]!; hr[j] = t;
    t = hp[i]!; hp[i] = hp[j]!; hp[j] = t;
    t = hm[i]!; hm[i] = hm[j]!; hm[j] = t;
  };
  const push = (rank: number, pos: number, merged: number): void => {
    if (size === hr.length) {
      const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => { const b = new Int32Array(a.length * 2); b.set(a); return b; };
      hr = grow(hr); hp = grow(hp); hm = grow(hm);
    }
    let i = size++;
    hr[i] = rank; hp[i] = pos; hm[i] = merged;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(i, parent)) break;
      swap(i, parent);
      i = parent;
    }
  };
  const pop = (): void => {
    size--;
    if (size === 0) return;
    hr[0] = hr[size]!; hp[0] = hp[size]!; hm[0] = hm[size]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      const r = l + 1;
      const c = r < size && less(r, l) ? r : l;
      if (!less(c, i)) break;
      swap(c, i);
      i = c;
    }
  };
  const offer = (pos: number): void => {
    const nx = next[pos]!;
    if (nx < 0) return;
    const slot = table.find(sym[pos]!, sym[nx]!);
    if (slot >= 0) push(table.ranks[slot]!, pos, table.mergedIds[slot]!);
  };
  for (let k = 0; k + 1 < length; k++) offer(k);
  while (size > 0) {
    const pos = hp[0]!;
    const merged = hm[0]!;
    pop();
    if (!alive[pos]) continue;
    const nx = next[pos]!;
    if (nx < 0) continue;
    const slot = table.find(sym[pos]!, sym[nx]!);
    if (slot < 0 || table.mergedIds[slot] !== merged) continue; // stale entry
    sym[pos] = merged;
    alive[nx] = 0;
    next[pos] = next[nx]!;
    if (next[nx]! >= 0) prev[next[nx]!] = pos;
    if (prev[pos]! >= 0) offer(prev[pos]!);
    offer(pos);
  }
  let n = 0;
  for (let k = 0; k < length; k++) if (alive[k]) sym[n++] = sym[k]!;
  return n;
}
