/**
 * The merge table of a BPE model: (left id, right id) → (rank, merged id), in an open-addressing
 * hash table over typed arrays, so the merge loop looks pairs up without allocating.
 */
export class PairTable {
  private keysA: Int32Array;
  private keysB: Int32Array;
  /** rank of the pair in slot i (lower merges first). */
  ranks: Int32Array;
  /** id of the merged token in slot i. */
  mergedIds: Int32Array;
  private mask: number;
  private count = 0;

  constructor(expected: number) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.keysA = new Int32Array(capacity).fill(-1);
    this.keysB = new Int32Array(capacity);
    this.ranks = new Int32Array(capacity);
    this.mergedIds = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  private slotOf(a: number, b: number): number {
    let slot = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x632be5ab, 0x85ebca77)) & this.mask;
    const keysA = this.keysA;
    for (;;) {
      const k = keysA[slot]!;
      if (k === -1 || (k === a && this.keysB[slot] === b)) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Adds or replaces (a later entry for the same pair wins, as in Hugging Face's merge map). */
  set(a: number, b: number, rank: number, mergedId: number): void {
    if ((this.count + 1) * 2 > this.keysA.length) this.grow();
    const slot = this.slotOf(a, b);
    if (this.keysA[slot] === -1) this.count++;
    this.keysA[slot] = a;
    this.keysB[slot] = b;
    this.ranks[slot] = rank;
    this.mergedIds[slot] = mergedId;
  }

  /** Slot of the pair, or -1 when the pair does not merge. */
  find(a: number, b: number): number {
    const slot = this.slotOf(a, b);
    return this.keysA[slot] === -1 ? -1 : slot;
  }

  private grow(): void {
    const { keysA, keysB, ranks, mergedIds } = this;
    const capacity = keysA.length * 2;
    this.keysA = new Int32Array(capacity).fill(-1);
    this.keysB = new Int32Array(capacity);
    this.ranks = new Int32Array(capacity);
    this.mergedIds = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.count = 0;
    for (let s = 0; s < keysA.length; s++) {
      if (keysA[s] !== -1) this.set(keysA[s]!, keysB[s]!, ranks[s]!, mergedIds[s]!);
    }
  }
}
