/**
 * numpy's legacy `RandomState(seed)` (MT19937 seeded with init_genrand) and its `shuffle` of a
 * 1-D array, reproduced bit for bit: GPT-NeoX shuffles its document and sample indices with it.
 * Algorithm per docs/gpt-neox-reference.md §4.6 (MT19937 of Matsumoto & Nishimura; numpy's
 * bounded-integer rejection sampling with a bit mask).
 */

const N = 624;
const M = 397;
const UPPER = 0x80000000;
const LOWER = 0x7fffffff;
const MATRIX_A = 0x9908b0df;

/** Anything `shuffle` can permute in place. */
export type ShuffleTarget = Int32Array | Uint32Array | Float64Array | Uint16Array | Uint8Array | number[];

export class RandomState {
  private readonly mt = new Uint32Array(N);
  private index = N;

  /** `seed` must be an integer in [0, 2^32 − 1], as numpy requires for an integer seed. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`RandomState seed ${seed} is not an integer in [0, 4294967295]`);
    }
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]!;
      mt[i] = (Math.imul(1812433253, (prev ^ (prev >>> 30)) >>> 0) + i) >>> 0;
    }
  }

  private twist(): void {
    const mt = this.mt;
    let y: number;
    let k = 0;
    for (; k < N - M; k++) {
      y = (mt[k]! & UPPER) | (mt[k + 1]! & LOWER);
      mt[k] = mt[k + M]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; k < N - 1; k++) {
      y = (mt[k]! & UPPER) | (mt[k + 1]! & LOWER);
      mt[k] = mt[k + (M - N)]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    y = (mt[N - 1]! & UPPER) | (mt[0]! & LOWER);
    mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.index = 0;
  }

  /** The next raw 32-bit output (numpy's `next_uint32`). */
  next32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A uniform integer in [0, max] (numpy's `random_interval`), for 0 ≤ max < 2^53. */
  interval(max: number): number {
    if (max === 0) return 0;
    if (max <= 0xffffffff) {
      const mask = maskFor32(max);
      let value: number;
      do value = (this.next32() & mask) >>> 0;
      while (value > max);
      return value;
    }
    // 64-bit path: (high << 32 | low) & mask, with mask's high part below 2^21.
    const maskHigh = maskFor32(Math.floor(max / 0x100000000));
    let value: number;
    do {
      const high = (this.next32() & maskHigh) >>> 0;
      value = high * 0x100000000 + this.next32();
    } while (value > max);
    return value;
  }

  /** numpy's legacy `RandomState.shuffle` of a 1-D array, in place. */
  shuffle(array: ShuffleTarget): void {
    const n = array.length;
    let i = n - 1;
    // 64-bit indices first (arrays longer than 2^32), then the fast 32-bit loop.
    for (; i > 0xffffffff; i--) swap(array, i, this.interval(i));
    // The swap targets depend only on the generator, so they are drawn a block at a time; the swap
    // loop then has independent random memory accesses the CPU can overlap (≈1.6× faster on
    // arrays much larger than the caches).
    const targets = new Uint32Array(Math.min(Math.max(i, 0), SHUFFLE_BLOCK));
    while (i > 0) {
      const count = Math.min(SHUFFLE_BLOCK, i);
      this.drawTargets(i, count, targets);
      for (let k = 0; k < count; k++) {
        const a = i - k;
        const b = targets[k]!;
        const t = array[a]!;
        array[a] = array[b]!;
        array[b] = t;
      }
      i -= count;
    }
  }

  /** targets[k] = interval(top − k) for k < count, with the generator inlined. */
  private drawTargets(top: number, count: number, targets: Uint32Array): void {
    const mt = this.mt;
    let index = this.index;
    let mask = maskFor32(top);
    for (let k = 0; k < count; k++) {
      const max = top - k;
      if (max <= mask >>> 1) mask >>>= 1;
      let j: number;
      do {
        if (index >= N) {
          this.twist();
          index = 0;
        }
        let y = mt[index++]!;
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        j = (y & mask) >>> 0;
      } while (j > max);
      targets[k] = j;
    }
    this.index = index;
  }
}

const SHUFFLE_BLOCK = 4096;

/** Smallest 2^k − 1 that is ≥ value, for 0 < value ≤ 2^32 − 1. */
function maskFor32(value: number): number {
  let mask = value >>> 0;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  return mask >>> 0;
}

function swap(array: ShuffleTarget, i: number, j: number): void {
  const t = array[i]!;
  array[i] = array[j]!;
  array[j] = t;
}
