/**
 * Cross-checks against independent numpy implementations of docs/gpt-neox-reference.md §4
 * (test/data/oracle.py): file bytes, shuffles, index maps and their .npy caches, blending, splits.
 */
import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { BlendingIndex, normalizedWeightsAndSamples, numpySum, weightsByNumDocs } from '../../common/data/blending';
import { GPT2Dataset } from '../../common/data/gpt2-dataset';
import { buildIndexMaps } from '../../common/data/gpt2-index';
import { indexMapFiles, loadOrBuildIndexMaps, writeIndexMaps } from '../../common/data/index-cache';
import { IndexedDataset } from '../../common/data/indexed-dataset';
import { IndexedDatasetWriter } from '../../common/data/indexed-dataset-writer';
import { RandomState } from '../../common/data/numpy-random';
import { splitBoundaries } from '../../common/data/splits';
import { numpyOracle } from './oracle';

const tmp = () => mkdtempSync(join(tmpdir(), 'neox-oracle-'));

/** Deterministic test data (not the code under test's RNG). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

test('.idx/.bin bytes equal those numpy writes from the documented layout', (t) => {
  const rand = lcg(1);
  for (const dtype of ['uint16', 'int32'] as const) {
    const max = dtype === 'uint16' ? 65535 : 2 ** 31 - 1;
    const documents = Array.from({ length: 40 }, (_, i) => Array.from({ length: i === 7 ? 0 : 1 + Math.floor(rand() * 50) }, () => Math.floor(rand() * max)));
    const dir = tmp();
    const ours = join(dir, 'ours');
    const writer = new IndexedDatasetWriter(ours, dtype);
    documents.forEach((d) => writer.addDocument(d));
    writer.finish();
    numpyOracle('write-indexed', { prefix: join(dir, 'numpy'), dtype, documents });
    t.deepEqual(readFileSync(`${ours}.idx`), readFileSync(join(dir, 'numpy.idx')), `${dtype} .idx`);
    t.deepEqual(readFileSync(`${ours}.bin`), readFileSync(join(dir, 'numpy.bin')), `${dtype} .bin`);
    const back = numpyOracle<{ documents: number[][]; dtype: string; version: number }>('read-indexed', { prefix: ours });
    t.deepEqual(back.documents, documents);
    t.is(back.dtype, dtype);
    const reader = IndexedDataset.open(join(dir, 'numpy'), { residentLimit: 64 });
    t.deepEqual(documents.map((_, i) => Array.from(reader.read(i))), documents);
    reader.close();
  }
});

test('shuffles match numpy RandomState.shuffle, and the generator state after them', (t) => {
  for (const [n, seed] of [[1, 5], [2, 0], [17, 1234], [1000, 42], [65537, 4294967295], [300001, 7]] as const) {
    const expected = numpyOracle<{ shuffled: number[]; after: number[]; raw32: number[] }>('shuffle', { n, seed });
    const rngRaw = new RandomState(seed);
    t.deepEqual([0, 1, 2, 3, 4].map(() => rngRaw.next32()), expected.raw32);
    const rng = new RandomState(seed);
    const a = Float64Array.from({ length: n }, (_, i) => i);
    rng.shuffle(a);
    t.deepEqual(Array.from(a), expected.shuffled, `n=${n} seed=${seed}`);
    t.deepEqual([0, 1, 2, 3].map(() => rng.next32()), expected.after);
  }
});

interface OracleMaps {
  num_epochs: number;
  total: number;
  tokens_per_epoch: number;
  doc_idx: number[];
  sample_idx: number[][];
  shuffle_idx: number[];
  samples?: number[][];
  length?: number;
}

test('index maps match a numpy implementation over random datasets, splits and seeds', (t) => {
  const rand = lcg(99);
  for (let round = 0; round < 12; round++) {
    const n = 1 + Math.floor(rand() * 60);
    const sizes = Int32Array.from({ length: n }, () => 1 + Math.floor(rand() * (round % 3 === 0 ? 5 : 400)));
    const start = Math.floor(rand() * n * 0.3);
    const end = Math.max(start + 1, n - Math.floor(rand() * n * 0.3));
    const seqLength = [1, 2, 7, 64, 2048][round % 5]!;
    let tokens = 0;
    for (let i = start; i < end; i++) tokens += sizes[i]!;
    if (tokens < 2) continue;
    const numSamples = Math.floor(rand() * 3 * tokens / seqLength) + (round % 4 === 0 ? 0 : 1);
    const seed = Math.floor(rand() * 2 ** 32);
    const ours = buildIndexMaps(sizes, { start, end }, numSamples, seqLength, seed);
    const ref = numpyOracle<OracleMaps>('index-maps', { sizes: Array.from(sizes), start, end, num_samples: numSamples, seq_length: seqLength, seed });
    const label = `round ${round}: n=${n} [${start},${end}) S=${seqLength} samples=${numSamples}`;
    t.is(ours.plan.numEpochs, ref.num_epochs, label);
    t.is(ours.plan.totalSamples, ref.total, label);
    t.deepEqual(Array.from(ours.docIdx), ref.doc_idx, label);
    t.deepEqual(Array.from(ours.sampleIdx), ref.sample_idx.flat(), label);
    t.deepEqual(Array.from(ours.shuffleIdx), ref.shuffle_idx, label);
  }
});

test('served samples match numpy slicing of the shuffled token stream', (t) => {
  const rand = lcg(3);
  const sizes = Array.from({ length: 25 }, () => 1 + Math.floor(rand() * 30));
  const prefix = join(tmp(), 'tokens');
  const writer = new IndexedDatasetWriter(prefix, 'int32');
  sizes.forEach((size, k) => writer.addDocument(Array.from({ length: size }, (_, i) => 100 * k + i)));
  writer.finish();
  const data = IndexedDataset.open(prefix, { residentLimit: 0 });
  for (const [seqLength, numSamples, range] of [[8, 40, [0, 25]], [16, 100, [5, 20]], [3, 7, [24, 25]]] as const) {
    const key = { dataPrefix: prefix, name: 'train', numSamples, seqLength, seed: 1234 };
    const maps = loadOrBuildIndexMaps(key, data.sizes, { start: range[0], end: range[1] });
    const dataset = new GPT2Dataset('train', data, maps, seqLength);
    const ref = numpyOracle<OracleMaps>('index-maps', { sizes, start: range[0], end: range[1], num_samples: numSamples, seq_length: seqLength, seed: 1234, tokens: true });
    // Every index shuffle_idx holds (one past the length included), then wrap-around.
    t.is(dataset.length, ref.length!);
    t.deepEqual(ref.samples!.map((_, i) => Array.from(dataset.getSample(i))), ref.samples!);
    t.deepEqual(Array.from(dataset.getSample(ref.samples!.length + 2)), ref.samples![(ref.samples!.length + 2) % ref.length!]);
  }
  data.close();
});

test('.npy caches are byte-identical to np.save, with GPT-NeoX\'s file names', (t) => {
  const dir = tmp();
  const sizes = Int32Array.from({ length: 300 }, (_, i) => 1 + ((i * 37) % 91));
  const key = { dataPrefix: join(dir, 'pile_text_document'), name: 'train_0', numSamples: 1234, seqLength: 16, seed: 1234 };
  const files = indexMapFiles(key);
  t.is(files.docIdx, join(dir, 'pile_text_document_train_0_indexmap_1234ns_16sl_1234s_packedpi_ac_doc_idx.npy'));
  t.is(indexMapFiles({ ...key, allowChopped: false }).shuffleIdx, join(dir, 'pile_text_document_train_0_indexmap_1234ns_16sl_1234s_packedpi_shuffle_idx.npy'));
  writeIndexMaps(files, buildIndexMaps(sizes, { start: 0, end: 300 }, 1234, 16, 1234));
  const savePrefix = join(dir, 'numpy');
  numpyOracle('index-maps', { sizes: Array.from(sizes), start: 0, end: 300, num_samples: 1234, seq_length: 16, seed: 1234, save_prefix: savePrefix, return_arrays: false });
  t.deepEqual(readFileSync(files.docIdx), readFileSync(`${savePrefix}_doc_idx.npy`));
  t.deepEqual(readFileSync(files.sampleIdx), readFileSync(`${savePrefix}_sample_idx.npy`));
  t.deepEqual(readFileSync(files.shuffleIdx), readFileSync(`${savePrefix}_shuffle_idx.npy`));
});

test('np.save files of every shape, dtype and header length read back; int64 sample_idx too', (t) => {
  const dir = tmp();
  for (const [dtype, shape] of [['int64', [3, 2]], ['int32', [0]], ['uint32', [1]], ['int64', [58]], ['int32', [123456, 2]]] as const) {
    const count = (shape as readonly number[]).reduce((a, b) => a * b, 1);
    const values = Array.from({ length: count }, (_, i) => (dtype === 'int64' ? i * 2 ** 33 + 5 : i * 7));
    const path = join(dir, `${dtype}-${shape.join('x')}.npy`);
    numpyOracle('save-npy', { path, dtype, shape, values });
    // Load through the cache loader's path by making it the doc_idx of a fake key is overkill;
    // the header reader and int arrays are what the loader uses.
    const { openNpy } = require('../../common/data/npy') as typeof import('../../common/data/npy');
    const { fileIntArray } = require('../../common/data/int-array') as typeof import('../../common/data/int-array');
    const { fd, header } = openNpy(path);
    t.deepEqual(header.shape, [...shape]);
    t.is(header.dtype, dtype);
    for (const limit of [1 << 30, 0]) {
      const array = fileIntArray(fd, header.dataOffset, count, header.dtype, limit);
      t.deepEqual(Array.from({ length: count }, (_, i) => array.get(i)), values);
    }
  }
});

test('blending with many datasets and awkward weights matches numpy\'s normalisation and order', (t) => {
  const rand = lcg(11);
  for (const k of [2, 3, 9, 20]) {
    const weights = Array.from({ length: k }, () => rand() * 10 + (rand() < 0.2 ? 0 : 0.001));
    const ref = numpyOracle<{ weights: number[]; numpy_weights: number[]; num_samples: number[]; order: number[][] }>('blend', { weights, num_samples: 100003, size: 5000 });
    const plan = normalizedWeightsAndSamples(weights, 100003);
    t.deepEqual(plan.weights, ref.weights);
    t.deepEqual(plan.numSamples, ref.num_samples);
    const sum = numpySum(plan.weights);
    t.deepEqual(plan.weights.map((w) => w / sum), ref.numpy_weights);
    const index = new BlendingIndex(plan.weights, 5000);
    t.deepEqual(Array.from({ length: 5000 }, (_, i) => index.locate(i)).map(({ dataset, local }) => [dataset, local]), ref.order);
  }
  // Equal weights produce exact ties; ties must go to the lowest index.
  const ref = numpyOracle<{ order: number[][] }>('blend', { weights: [1, 1, 1], num_samples: 10, size: 30 });
  const index = new BlendingIndex(normalizedWeightsAndSamples([1, 1, 1], 10).weights, 30);
  t.deepEqual(Array.from({ length: 30 }, (_, i) => index.locate(i)).map(({ dataset, local }) => [dataset, local]), ref.order);
});

test('weight_by_num_documents matches Python to within an ulp (glibc pow is not always correctly rounded)', (t) => {
  const ulps = (a: number, b: number) => Math.abs(a - b) / (Number.EPSILON * Math.max(Math.abs(a), Math.abs(b)));
  for (const alpha of [1.0, 0.3, 0.5, 0.7]) {
    for (const counts of [[10, 20], [1, 1000, 37, 5], [123456, 654321, 1], [7, 7, 7]]) {
      const ref = numpyOracle<{ weights: number[] }>('weights-by-num-docs', { counts, alpha });
      const ours = weightsByNumDocs(counts, alpha);
      t.is(ours.length, ref.weights.length);
      ours.forEach((w, i) => t.true(ulps(w, ref.weights[i]!) <= 2, `alpha ${alpha} counts ${counts.join(',')}: ${w} vs ${ref.weights[i]}`));
      t.deepEqual(normalizedWeightsAndSamples(ours, 146432000).numSamples, normalizedWeightsAndSamples(ref.weights, 146432000).numSamples);
    }
  }
  // With alpha 1 no pow rounding is involved, so the weights are identical.
  t.deepEqual(weightsByNumDocs([1, 1000, 37, 5], 1.0), numpyOracle<{ weights: number[] }>('weights-by-num-docs', { counts: [1, 1000, 37, 5], alpha: 1.0 }).weights);
});

test('split boundaries match Python for many strings and sizes', (t) => {
  const rand = lcg(5);
  const strings = ['969, 30, 1', '1,1,1', '98,1,1', '100', '90/5/5', '0.7, 0.2, 0.1', '1,2', '3, 3, 3, 3', '949,50,1', '1/1/1'];
  const cases = strings.flatMap((split) => Array.from({ length: 30 }, (_, k) => ({ split, size: k < 12 ? k + 1 : Math.floor(rand() * 1e7) })));
  const ref = numpyOracle<{ bounds: number[][] }>('splits', { cases });
  t.deepEqual(cases.map(({ split, size }) => splitBoundaries(split, size)), ref.bounds);
});
