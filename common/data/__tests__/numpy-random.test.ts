import test from 'ava';

import { RandomState } from '../numpy-random';

// Vectors from docs/gpt-neox-reference.md §4.6 (verified there against numpy).
test('RandomState(1234) yields numpy\'s first raw 32-bit outputs', (t) => {
  const rng = new RandomState(1234);
  t.deepEqual([rng.next32(), rng.next32(), rng.next32()], [822569775, 2137449171, 2671936806]);
});

test('shuffle(arange(10)) with seed 1234 matches numpy', (t) => {
  const a = Int32Array.from({ length: 10 }, (_, i) => i);
  new RandomState(1234).shuffle(a);
  t.deepEqual(Array.from(a), [7, 2, 9, 1, 0, 8, 4, 5, 6, 3]);
});

test('shuffle gives the same permutation whatever the element type', (t) => {
  const ints = Int32Array.from({ length: 1000 }, (_, i) => i);
  const floats = Float64Array.from({ length: 1000 }, (_, i) => i);
  const plain = Array.from({ length: 1000 }, (_, i) => i);
  new RandomState(7).shuffle(ints);
  new RandomState(7).shuffle(floats);
  new RandomState(7).shuffle(plain);
  t.deepEqual(Array.from(ints), Array.from(floats));
  t.deepEqual(Array.from(ints), plain);
  t.notDeepEqual(plain, Array.from({ length: 1000 }, (_, i) => i));
});

test('interval draws stay in range and reject out-of-range seeds', (t) => {
  const rng = new RandomState(0);
  for (const max of [1, 2, 3, 1000, 0xffffffff, 2 ** 40 + 5]) {
    for (let k = 0; k < 50; k++) {
      const v = rng.interval(max);
      t.true(v >= 0 && v <= max && Number.isInteger(v));
    }
  }
  t.throws(() => new RandomState(-1), { message: /seed -1/ });
  t.throws(() => new RandomState(2 ** 32), { message: /seed 4294967296/ });
});
