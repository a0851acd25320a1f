/**
 * buildDatasets end to end: data_path + split and path lists + blending, against the numpy oracle;
 * index-map caches under GPT-NeoX's names, reused on the next run, and GPT-NeoX-written caches loaded.
 */
import test from 'ava';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildDatasets } from '../../common/data/build-datasets';
import { IndexedDatasetWriter } from '../../common/data/indexed-dataset-writer';
import { splitBoundaries } from '../../common/data/splits';
import { numpyOracle } from './oracle';

const tmp = () => mkdtempSync(join(tmpdir(), 'neox-ds-'));

/** Documents whose token t of document k is 100·k + t (int32), sizes from a fixed pattern. */
function writeData(prefix: string, sizes: number[]): void {
  const writer = new IndexedDatasetWriter(prefix, 'int32');
  sizes.forEach((size, k) => writer.addDocument(Array.from({ length: size }, (_, t) => 100 * k + t)));
  writer.finish();
}

const sizesA = Array.from({ length: 50 }, (_, i) => 1 + ((i * 29) % 47));
const sizesB = Array.from({ length: 20 }, (_, i) => 3 + ((i * 11) % 23));

interface OracleSamples {
  /** Every shuffled sample: indices 0..length (one past the dataset length). */
  samples: number[][];
  length: number;
}

function cacheFiles(prefix: string, name: string, ns: number, sl: number, seed: number): string[] {
  return ['doc', 'sample', 'shuffle'].map((k) => `${prefix}_${name}_indexmap_${ns}ns_${sl}sl_${seed}s_packedpi_ac_${k}_idx.npy`);
}

test('data_path mode: split ranges, GPT-NeoX cache names, samples as numpy serves them, caches reused', (t) => {
  const prefix = join(tmp(), 'corpus_text_document');
  writeData(prefix, sizesA);
  const config = { data_path: prefix, split: '8,1,1', seq_length: 16, seed: 77, train_iters: 5, train_batch_size: 4, eval_interval: 2, eval_iters: 3 };
  const logs: string[] = [];
  const datasets = buildDatasets(config, { log: (l) => logs.push(l) });
  const bounds = splitBoundaries('8,1,1', sizesA.length);
  const counts = { train: 20, valid: (Math.floor(5 / 2) + 1) * 3 * 4, test: 12 };
  for (const [i, split] of (['train', 'valid', 'test'] as const).entries()) {
    const files = cacheFiles(prefix, split, counts[split], 16, 77);
    t.true(files.every((f) => existsSync(f)), files[0]);
    const ref = numpyOracle<OracleSamples>('index-maps', { sizes: sizesA, start: bounds[i], end: bounds[i + 1], num_samples: counts[split], seq_length: 16, seed: 77, tokens: true, return_arrays: false });
    const dataset = datasets[split]!;
    t.is(dataset.length, ref.length, split);
    t.deepEqual(ref.samples.map((_, k) => Array.from(dataset.getSample(k))), ref.samples, split);
  }
  datasets.close();
  t.is(logs.filter((l) => l.startsWith('built ')).length, 3);
  const files = cacheFiles(prefix, 'train', 20, 16, 77);
  const before = files.map((f) => statSync(f).mtimeMs);
  const again: string[] = [];
  const second = buildDatasets(config, { log: (l) => again.push(l), residentLimit: 0 });
  t.deepEqual(again, []);
  t.deepEqual(files.map((f) => statSync(f).mtimeMs), before);
  const ref = numpyOracle<OracleSamples>('index-maps', { sizes: sizesA, start: bounds[0], end: bounds[1], num_samples: 20, seq_length: 16, seed: 77, tokens: true, return_arrays: false });
  t.deepEqual(ref.samples.map((_, k) => Array.from(second.train!.getSample(k))), ref.samples);
  second.close();
});

test('caches written by numpy (as GPT-NeoX writes them) are loaded, not rebuilt', (t) => {
  const prefix = join(tmp(), 'neox_text_document');
  writeData(prefix, sizesA);
  const [docIdx] = cacheFiles(prefix, 'train', 30, 8, 1234);
  const savePrefix = docIdx!.replace(/_doc_idx\.npy$/, '');
  numpyOracle('index-maps', { sizes: sizesA, start: 0, end: 48, num_samples: 30, seq_length: 8, seed: 1234, save_prefix: savePrefix, return_arrays: false });
  const before = statSync(docIdx!).mtimeMs;
  const logs: string[] = [];
  const datasets = buildDatasets({ data_path: prefix, split: '969, 30, 1', seq_length: 8, train_iters: 10, train_batch_size: 3, eval_interval: 1000, eval_iters: 1 }, { log: (l) => logs.push(l) });
  t.deepEqual(splitBoundaries('969, 30, 1', 50), [0, 48, 50, 50]);
  t.is(statSync(docIdx!).mtimeMs, before);
  t.false(logs.some((l) => l.includes('built train ')));
  t.is(datasets.test, null);
  const ref = numpyOracle<OracleSamples>('index-maps', { sizes: sizesA, start: 0, end: 48, num_samples: 30, seq_length: 8, seed: 1234, tokens: true, return_arrays: false });
  t.deepEqual(ref.samples.map((_, k) => Array.from(datasets.train!.getSample(k))), ref.samples);
  datasets.close();
});

test('a cache built for other data is refused with the fix', (t) => {
  const dir = tmp();
  const prefix = join(dir, 'changed');
  writeData(prefix, sizesA);
  const config = { data_path: prefix, split: '1', seq_length: 8, train_iters: 2, train_batch_size: 2, eval_iters: 0 };
  buildDatasets(config).close();
  // Re-preprocess with different documents under the same name.
  writeData(prefix, sizesB);
  const [docIdx] = cacheFiles(prefix, 'train', 4, 8, 1234);
  t.throws(() => buildDatasets(config), {
    message: new RegExp(`^${docIdx!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} has shape \\(\\d+,\\) but documents \\[0, 20\\) of the data need \\(\\d+,\\): the cache was built for other data; delete the three \\*_indexmap_\\* files of this name so they are rebuilt$`),
  });
});

test('path lists: per-dataset requests with 1.005, names train_0/train_1, blended in numpy\'s order', (t) => {
  const dir = tmp();
  const a = join(dir, 'a_text_document');
  const b = join(dir, 'b_text_document');
  writeData(a, sizesA);
  writeData(b, sizesB);
  const config = {
    train_data_paths: [a, b], valid_data_paths: [b], test_data_paths: [a],
    train_data_weights: [2, 1], seq_length: 12, seed: 5, train_iters: 10, train_batch_size: 6, eval_interval: 5, eval_iters: 2,
  };
  const datasets = buildDatasets(config);
  const blend = numpyOracle<{ num_samples: number[]; order: number[][]; weights: number[] }>('blend', { weights: [2, 1], num_samples: 60, size: 0 });
  t.deepEqual(blend.num_samples, [Math.ceil(60 * (2 / 3) * 1.005), Math.ceil(60 * (1 / 3) * 1.005)]);
  t.true(cacheFiles(a, 'train_0', blend.num_samples[0]!, 12, 5).every((f) => existsSync(f)));
  t.true(cacheFiles(b, 'train_1', blend.num_samples[1]!, 12, 5).every((f) => existsSync(f)));
  t.true(cacheFiles(b, 'valid_0', Math.ceil(((Math.floor(10 / 5) + 1) * 2 * 6) * 1.0 * 1.005), 12, 5).every((f) => existsSync(f)));
  const refA = numpyOracle<OracleSamples>('index-maps', { sizes: sizesA, start: 0, end: 50, num_samples: blend.num_samples[0], seq_length: 12, seed: 5, tokens: true, return_arrays: false });
  const refB = numpyOracle<OracleSamples>('index-maps', { sizes: sizesB, start: 0, end: 20, num_samples: blend.num_samples[1], seq_length: 12, seed: 5, tokens: true, return_arrays: false });
  const train = datasets.train!;
  t.is(train.length, refA.length + refB.length);
  const order = numpyOracle<{ order: number[][] }>('blend', { weights: [2, 1], num_samples: 60, size: train.length }).order;
  // A dataset asked for more samples than shuffle_idx holds wraps around (GPT2Dataset's
  // IndexError → modulo its length).
  const expected = order.map(([d, local]) => {
    const ref = d === 0 ? refA : refB;
    return ref.samples[local! < ref.samples.length ? local! : local! % ref.length]!;
  });
  t.true(order.some(([d, local]) => local! >= (d === 0 ? refA : refB).length));
  t.deepEqual(expected.map((_, i) => Array.from(train.getSample(i))), expected);
  datasets.close();
});

test('config mistakes name the key and the fix', (t) => {
  const prefix = join(tmp(), 'cfg');
  writeData(prefix, sizesA);
  const base = { seq_length: 8, train_iters: 1, train_batch_size: 1 };
  t.throws(() => buildDatasets({ ...base, data_path: prefix, train_data_paths: [prefix], valid_data_paths: [prefix], test_data_paths: [prefix] }), {
    message: 'data_path and train/valid/test_data_paths are both set; use one: data_path with split, or the three path lists',
  });
  t.throws(() => buildDatasets({ ...base, train_data_paths: [prefix] }), {
    message: 'valid_data_paths and test_data_paths not set; GPT-NeoX needs all three path lists or none (point them at the same files to reuse data)',
  });
  t.throws(() => buildDatasets({ ...base, data_path: prefix, seq_length: null }), {
    message: 'seq_length is null; set it to the training sequence length (a positive integer)',
  });
  t.throws(() => buildDatasets({ ...base, data_path: prefix, pack_impl: 'unpacked' }), {
    message: 'pack_impl "unpacked" is not supported yet; use "packed" (GPT-NeoX\'s default)',
  });
  t.throws(() => buildDatasets({ ...base, train_data_paths: [prefix], valid_data_paths: [prefix], test_data_paths: [prefix], train_data_weights: [1, 2] }), {
    message: 'train_data_weights has 2 weights for 1 paths in train_data_paths; give one weight per path',
  });
  t.throws(() => buildDatasets({ ...base }), {
    message: 'no training data: set data_path (with split) or train_data_paths, valid_data_paths and test_data_paths',
  });
});
