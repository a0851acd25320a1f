import test from 'ava';

import { mergeSymbols } from '../bpe-merge';
import { PairTable } from '../pair-table';

/** The textbook definition: repeatedly merge the lowest-rank adjacent pair, leftmost on ties. */
function naive(table: PairTable, symbols: number[]): number[] {
  const s = [...symbols];
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let k = 0; k + 1 < s.length; k++) {
      const slot = table.find(s[k]!, s[k + 1]!);
      if (slot >= 0 && table.ranks[slot]! < bestRank) {
        bestRank = table.ranks[slot]!;
        best = k;
      }
    }
    if (best < 0) return s;
    s.splice(best, 2, table.mergedIds[table.find(s[best]!, s[best + 1]!)]!);
  }
}

function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

test('a hand-worked word: "aaab" with merges (a,a)=0 → A, (A,b)=1 → B, (a,A)=2 → C', (t) => {
  const table = new PairTable(4);
  table.set(0, 0, 0, 10); // a a -> A
  table.set(10, 1, 1, 11); // A b -> B
  table.set(0, 10, 2, 12); // a A -> C
  const sym = Int32Array.from([0, 0, 0, 1]);
  // a a a b -> A a b (leftmost of the rank-0 ties) -> no (A,a); (a,b) none -> stays
  const n = mergeSymbols(table, sym, 4);
  t.deepEqual(Array.from(sym.subarray(0, n)), [10, 0, 1]);
});

test('linear (short words) and heap (long words) merges equal the textbook loop on random tables', (t) => {
  const random = lcg(42);
  for (let trial = 0; trial < 300; trial++) {
    const alphabet = 2 + Math.floor(random() * 4);
    const table = new PairTable(64);
    let next = alphabet;
    for (let r = 0; r < 40; r++) {
      const a = Math.floor(random() * next);
      const b = Math.floor(random() * next);
      table.set(a, b, Math.floor(random() * 50), next++);
    }
    const length = trial % 3 === 0 ? 100 + Math.floor(random() * 300) : 1 + Math.floor(random() * 60);
    const word = Array.from({ length }, () => Math.floor(random() * alphabet));
    const sym = Int32Array.from(word);
    const n = mergeSymbols(table, sym, length);
    t.deepEqual(Array.from(sym.subarray(0, n)), naive(table, word), `trial ${trial}, length ${length}`);
  }
});

test('PairTable: later entries replace earlier ones, growth keeps every pair', (t) => {
  const table = new PairTable(2);
  for (let k = 0; k < 5000; k++) table.set(k, k + 1, k, k + 7);
  table.set(3, 4, 99, 100);
  t.is(table.size, 5000);
  t.is(table.ranks[table.find(3, 4)]!, 99);
  t.is(table.mergedIds[table.find(4999, 5000)]!, 4999 + 7);
  t.is(table.find(5, 5), -1);
});
