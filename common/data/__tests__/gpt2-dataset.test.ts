import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { GPT2Dataset } from '../gpt2-dataset';
import { buildIndexMaps, floorDiv, numEpochsFor, planIndex } from '../gpt2-index';
import { ResidentIntArray } from '../int-array';
import { IndexedDataset } from '../indexed-dataset';
import { IndexedDatasetWriter } from '../indexed-dataset-writer';

/** Items 0..3 of sizes [5, 3, 7, 2] whose token t of item k is 100·k + t (reference §4.7). */
function workedData(): IndexedDataset {
  const prefix = join(mkdtempSync(join(tmpdir(), 'neox-gpt2-')), 'worked');
  const writer = new IndexedDatasetWriter(prefix, 'uint16');
  [5, 3, 7, 2].forEach((size, k) => writer.addDocument(Array.from({ length: size }, (_, t) => 100 * k + t)));
  writer.finish();
  return IndexedDataset.open(prefix);
}

test('the §4.7 worked example: epochs, doc_idx, sample_idx, shuffle_idx', (t) => {
  const sizes = Int32Array.from([5, 3, 7, 2]);
  const maps = buildIndexMaps(sizes, { start: 0, end: 4 }, 6, 4, 1234);
  t.is(maps.plan.tokensPerEpoch, 17);
  t.is(maps.plan.numEpochs, 2);
  t.is(maps.plan.totalSamples, 8);
  t.deepEqual(Array.from(maps.docIdx), [2, 1, 2, 0, 0, 1, 3, 3]);
  t.deepEqual(Array.from(maps.sampleIdx), [0, 0, 0, 4, 1, 1, 2, 2, 2, 6, 3, 3, 4, 2, 5, 1, 7, 0]);
  t.deepEqual(Array.from(maps.shuffleIdx), [5, 0, 3, 4, 2, 6, 1, 7]);
  t.true(maps.sampleIdx instanceof Int32Array);
  t.true(maps.shuffleIdx instanceof Uint32Array);
});

test('the §4.7 worked example serves the reference samples, length 7, index 7 from shuffle_idx, wrapping after', (t) => {
  const data = workedData();
  const maps = buildIndexMaps(data.sizes, { start: 0, end: 4 }, 6, 4, 1234);
  const dataset = new GPT2Dataset('train', data, {
    docIdx: new ResidentIntArray(maps.docIdx),
    sampleIdx: new ResidentIntArray(maps.sampleIdx),
    shuffleIdx: new ResidentIntArray(maps.shuffleIdx),
  }, 4);
  t.is(dataset.length, 7);
  const expected = [
    [3, 4, 0, 1, 2],
    [200, 201, 202, 203, 204],
    [202, 203, 204, 205, 206],
    [206, 0, 1, 2, 3],
    [101, 102, 200, 201, 202],
    [2, 3, 4, 100, 101],
    [204, 205, 206, 100, 101],
  ];
  t.deepEqual(expected.map((_, i) => Array.from(dataset.getSample(i))), expected);
  // Index 7 = length is still served from shuffle_idx[7] = 7 (stream tokens 28..32), as GPT-NeoX
  // does; beyond that, indices wrap modulo the length.
  t.deepEqual(Array.from(dataset.getSample(7)), [101, 102, 300, 301, 300]);
  t.deepEqual(Array.from(dataset.getSample(8)), expected[1]);
  data.close();
});

test('epochs are the fewest that give enough samples', (t) => {
  t.is(numEpochsFor(17, 4, 6), 2);
  t.is(numEpochsFor(17, 4, 4), 1); // (17 − 1) // 4 = 4
  t.is(numEpochsFor(17, 4, 5), 2);
  t.is(numEpochsFor(1000, 10, 0), 1);
  t.is(numEpochsFor(10, 2048, 1000), 204801);
  t.throws(() => numEpochsFor(1, 4, 1), { message: /at least 2 tokens/ });
});

test('sample_idx switches to int64 on GPT-NeoX\'s float rule, shuffle_idx at 2^32 − 2', (t) => {
  const sizes = Int32Array.from([2 ** 30, 2 ** 30]);
  t.is(planIndex(sizes, { start: 0, end: 2 }, 2 ** 30, 1).sampleIdxDtype, 'int64');
  t.is(planIndex(Int32Array.from([1000, 1000]), { start: 0, end: 2 }, 10, 2).sampleIdxDtype, 'int32');
  // 2 · ((2^31 − 1) / 2 + 1) = 2^31 + 1 ≥ int32 max even though only 2^30 − 1 samples exist.
  t.is(planIndex(sizes, { start: 0, end: 2 }, 10, 2).sampleIdxDtype, 'int64');
  t.is(planIndex(sizes, { start: 0, end: 2 }, 2 ** 29, 4).shuffleIdxDtype, 'uint32');
  t.is(planIndex(sizes, { start: 0, end: 2 }, 2 ** 32, 1).shuffleIdxDtype, 'int64');
});

test('floorDiv is integer division for safe integers', (t) => {
  t.is(floorDiv(16, 4), 4);
  t.is(floorDiv(15, 4), 3);
  t.is(floorDiv(2 ** 53 - 1, 3), 3002399751580330);
});
