import test from 'ava';

import { BlendingIndex, normalizedWeightsAndSamples, numpySum, weightsByNumDocs } from '../blending';
import { microBatchesPerPass, trainMicroBatch, trainSampleIndex, validationStartMicroBatch } from '../consumption';
import { splitSampleCounts } from '../sample-counts';
import { roundHalfEven, splitBoundaries } from '../splits';

// docs/gpt-neox-reference.md §4.4.
test('split boundaries match the reference examples', (t) => {
  t.deepEqual(splitBoundaries('969, 30, 1', 1000), [0, 969, 999, 1000]);
  t.deepEqual(splitBoundaries('969, 30, 1', 12345), [0, 11963, 12333, 12345]);
  t.deepEqual(splitBoundaries('1,1,1', 10), [0, 4, 7, 10]);
  t.deepEqual(splitBoundaries('98,1,1', 7), [0, 7, 7, 7]);
  t.deepEqual(splitBoundaries('98/1/1', 7), [0, 7, 7, 7]);
  t.deepEqual(splitBoundaries('100', 9), [0, 9, 9, 9]);
});

test('split rounding is half-to-even and the remainder shifts every boundary', (t) => {
  t.deepEqual([0.5, 1.5, 2.5, 3.5, 2.4999, 2.5001].map(roundHalfEven), [0, 2, 2, 4, 2, 3]);
  // 1/3 · 3 → 1 each; "1,1" with 5 docs: 2.5 → 2 and 2.5 → 2, diff −1 moves both boundaries up.
  t.deepEqual(splitBoundaries('1,1', 5), [0, 3, 5, 5]);
});

test('bad split strings name the key and value', (t) => {
  t.throws(() => splitBoundaries('9x, 1', 10), { message: 'split "9x, 1" has "9x", which is not a number; write weights like "969, 30, 1" or "98/1/1"' });
  t.throws(() => splitBoundaries('0,0,0', 10), { message: 'split "0,0,0" has weights summing to 0; at least one of the first three must be > 0' });
  t.throws(() => splitBoundaries('1,-1,1', 10), { message: 'split "1,-1,1" has the negative weight -1; weights must be ≥ 0' });
});

// docs/gpt-neox-reference.md §4.9.
test('blending w = [0.7, 0.3] serves the reference order', (t) => {
  const index = new BlendingIndex([0.7, 0.3], 10);
  const order = Array.from({ length: 10 }, (_, i) => index.locate(i)).map(({ dataset, local }) => [dataset, local]);
  t.deepEqual(order, [[0, 0], [1, 0], [0, 1], [0, 2], [1, 1], [0, 3], [0, 4], [1, 2], [0, 5], [0, 6]]);
});

test('blending local indices are right across count blocks', (t) => {
  const weights = [0.5, 0.25, 0.25];
  const size = 3 * 4096 + 17;
  const index = new BlendingIndex(weights, size);
  const taken = [0, 0, 0];
  for (let i = 0; i < size; i++) {
    const { dataset, local } = index.locate(i);
    t.is(local, taken[dataset]!);
    taken[dataset]!++;
  }
  t.pass();
});

test('per-dataset requests are ceil(N · w · 1.005) in float64', (t) => {
  const { weights, numSamples } = normalizedWeightsAndSamples([1.0], 146432000);
  t.deepEqual(weights, [1]);
  t.deepEqual(numSamples, [147164160]);
  t.deepEqual(normalizedWeightsAndSamples([2, 1, 1], 1000).numSamples, [503, 252, 252]);
  t.throws(() => normalizedWeightsAndSamples([0, 0], 10), { message: /sum to 0/ });
});

test('weight_by_num_documents with alpha 1 weights by p·(1 − p)', (t) => {
  const w = weightsByNumDocs([1, 3], 1.0);
  // p = [0.25, 0.75]; q = p; w ∝ [0.25·0.75, 0.75·0.25] → equal.
  t.deepEqual(w, [0.5, 0.5]);
  t.deepEqual(weightsByNumDocs([42], 0.3), [1.0]);
});

test('numpySum is pairwise: order of additions as numpy\'s', (t) => {
  t.is(numpySum([1.0, 1e-16, 1e-16]), 1.0);
  t.is(numpySum([1.0, ...Array(10).fill(1e-16)]), 1.0000000000000007);
  t.is(numpySum([...Array(9).fill(1e-16), 1.0]), 1.0000000000000009);
});

// docs/gpt-neox-reference.md §4.5.
test('sample counts per split follow train_iters, eval_interval, eval_iters and the batch', (t) => {
  t.deepEqual(splitSampleCounts({ train_iters: 143000, train_batch_size: 1024, eval_interval: 143000, eval_iters: 10 }), {
    train: 146432000, valid: 2 * 10 * 1024, test: 10240,
  });
  t.deepEqual(splitSampleCounts({ train_iters: 10, train_batch_size: 4 }), { train: 40, valid: 400, test: 400 });
  t.throws(() => splitSampleCounts({ train_batch_size: 4 }), { message: 'train_iters is not set; the data pipeline needs it to size the index maps (training by train_epochs is not supported yet)' });
});

// docs/gpt-neox-reference.md §4.10.
test('consumption order: (s·GAS + j)·micro·dp + r·micro + b, cycling', (t) => {
  const layout = { microBatchSize: 2, dataParallelSize: 3, gradientAccumulationSteps: 4 };
  t.is(trainSampleIndex({ iteration: 1, microStep: 2, dpRank: 1, b: 1 }, 1000, layout), (1 * 4 + 2) * 6 + 2 + 1);
  t.deepEqual(trainMicroBatch(0, 0, 2, 1000, layout), [4, 5]);
  t.is(microBatchesPerPass(20, layout), 3);
  t.is(trainSampleIndex({ iteration: 0, microStep: 3, dpRank: 0, b: 0 }, 20, layout), 0);
  t.is(validationStartMicroBatch(2500, layout, 1000, 10), 100);
  // The same global batch regardless of dp: dp=1, micro=6 sees the same six indices.
  const wide = { microBatchSize: 6, dataParallelSize: 1, gradientAccumulationSteps: 4 };
  const narrow = [0, 1, 2].flatMap((r) => trainMicroBatch(3, 1, r, 1000, layout));
  t.deepEqual(narrow, trainMicroBatch(3, 1, 0, 1000, wide));
});

test('exactPow is correctly rounded: it agrees with Math.sqrt for y = 0.5 and is exact on powers of two', (t) => {
  const { exactPow } = require('../exact-pow') as typeof import('../exact-pow');
  for (let i = 1; i < 500; i++) {
    const x = (i * 0.6180339887498949) % 1;
    t.is(exactPow(x, 0.5), Math.sqrt(x));
  }
  t.is(exactPow(0.25, 0.5), 0.5);
  t.is(exactPow(8, 1 / 3), 2);
  t.is(exactPow(2 ** -40, 0.25), 2 ** -10);
  t.is(exactPow(0, 0.3), 0);
  t.is(exactPow(0.123, 0), 1);
});
