/**
 * A seeded random stream per completion choice, so a request's `seed` gives the same samples
 * whatever else the server is doing. xoshiro128** (Blackman & Vigna) seeded through splitmix32.
 */
import { randomInt } from 'node:crypto';

export type RandomSource = () => number;

function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/**
 * Uniform numbers in [0, 1) with 53 random bits, from `seed` (a safe integer, negative allowed)
 * and the choice index. Different (seed, stream) pairs give unrelated sequences.
 */
export function seededRandom(seed: number, stream: number): RandomSource {
  const lo = Number(BigInt.asUintN(32, BigInt(seed)));
  const hi = Number(BigInt.asUintN(32, BigInt(seed) >> 32n));
  let mix = lo ^ Math.imul(hi, 0x27d4eb2d) ^ Math.imul(stream + 1, 0x165667b1);
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i++) [mix, s[i]] = splitmix32(mix);
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  const next32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
  return () => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A seed for requests that give none. */
export function freshSeed(): number {
  return randomInt(0, 2 ** 47);
}
