/**
 * Builds the train/valid/test sample sources of a GPT-NeoX config, exactly as GPT-NeoX's
 * `build_train_valid_test_data_iterators` does: one `data_path` split by `split`, or
 * `train/valid/test_data_paths` used whole and blended by weight. Index maps are loaded from
 * their caches or built (and cached) here, before training starts.
 */
import { ConfigError } from '../errors';
import { BlendableDataset, normalizedWeightsAndSamples, weightsByNumDocs } from './blending';
import { DATA_DEFAULTS, DataConfig } from './data-config';
import { GPT2Dataset } from './gpt2-dataset';
import { DocumentRange } from './gpt2-index';
import { IndexMapOptions, IndexMaps, loadOrBuildIndexMaps } from './index-cache';
import { IndexedDataset } from './indexed-dataset';
import { SampleSource } from './sample-source';
import { splitSampleCounts } from './sample-counts';
import { splitBoundaries } from './splits';

export type SplitName = 'train' | 'valid' | 'test';
export const SPLITS: readonly SplitName[] = ['train', 'valid', 'test'];

export interface Datasets {
  train: SampleSource | null;
  valid: SampleSource | null;
  test: SampleSource | null;
  /** Closes every data and index-map file opened. */
  close(): void;
}

export type BuildOptions = IndexMapOptions;

interface Settings {
  seqLength: number;
  seed: number;
  allowChopped: boolean;
  impl: 'infer' | 'mmap' | 'cached';
}

function settingsOf(config: DataConfig): Settings {
  const seqLength = config.seq_length;
  if (typeof seqLength !== 'number' || !Number.isSafeInteger(seqLength) || seqLength < 1) {
    throw new ConfigError(`seq_length is ${JSON.stringify(seqLength ?? null)}; set it to the training sequence length (a positive integer)`, 'seq_length');
  }
  const seed = config.seed ?? DATA_DEFAULTS.seed;
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new ConfigError(`seed is ${JSON.stringify(seed)}; numpy's RandomState needs an integer in [0, 4294967295]`, 'seed');
  }
  const packImpl = config.pack_impl ?? DATA_DEFAULTS.pack_impl;
  if (packImpl !== 'packed') {
    throw new ConfigError(`pack_impl "${packImpl}" is not supported yet; use "packed" (GPT-NeoX's default)`, 'pack_impl');
  }
  const impl = config.data_impl ?? DATA_DEFAULTS.data_impl;
  if (impl !== 'infer' && impl !== 'mmap' && impl !== 'cached') {
    throw new ConfigError(`data_impl "${impl}" is not one of infer, mmap, cached`, 'data_impl');
  }
  for (const key of ['train_label_data_paths', 'valid_label_data_paths', 'test_label_data_paths', 'label_data_paths'] as const) {
    if (config[key]?.length) throw new ConfigError(`${key} is set, but label datasets are not supported yet; remove it`, key);
  }
  return { seqLength, seed, allowChopped: config.allow_chopped ?? DATA_DEFAULTS.allow_chopped, impl };
}

/** Builds (or loads) the datasets of `config`; a split with no documents or no paths is null. */
export function buildDatasets(config: DataConfig, options: BuildOptions = {}): Datasets {
  const settings = settingsOf(config);
  const counts = splitSampleCounts(config);
  const opened = new Map<string, IndexedDataset>();
  const open = (prefix: string) => {
    let dataset = opened.get(prefix);
    if (!dataset) {
      dataset = IndexedDataset.open(prefix, { impl: settings.impl, residentLimit: options.residentLimit });
      opened.set(prefix, dataset);
    }
    return dataset;
  };
  const maps: IndexMaps[] = [];
  const close = () => {
    maps.splice(0).forEach((m) => m.close());
    opened.forEach((d) => d.close());
  };
  const gpt2 = (data: IndexedDataset, name: string, range: DocumentRange, numSamples: number) => {
    const key = { dataPrefix: data.prefix, name, numSamples, seqLength: settings.seqLength, seed: settings.seed, packImpl: 'packed', allowChopped: settings.allowChopped };
    const loaded = loadOrBuildIndexMaps(key, data.sizes, range, options);
    maps.push(loaded);
    return new GPT2Dataset(name, data, loaded, settings.seqLength);
  };
  try {
    const lists = SPLITS.map((s) => config[`${s}_data_paths`] ?? null);
    const given = lists.filter((l) => l !== null && l.length > 0).length;
    if (config.data_path && given > 0) {
      throw new ConfigError('data_path and train/valid/test_data_paths are both set; use one: data_path with split, or the three path lists', 'data_path');
    }
    if (config.data_path) {
      const data = open(config.data_path);
      const bounds = splitBoundaries(config.split ?? DATA_DEFAULTS.split, data.length);
      const [train, valid, test] = SPLITS.map((name, i) => {
        const range = { start: bounds[i]!, end: bounds[i + 1]! };
        return range.end > range.start ? gpt2(data, name, range, counts[name]) : null;
      });
      return { train: train!, valid: valid!, test: test!, close };
    }
    if (given === 0) {
      throw new ConfigError('no training data: set data_path (with split) or train_data_paths, valid_data_paths and test_data_paths', 'data_path');
    }
    if (given !== 3) {
      const missing = SPLITS.filter((_, i) => !lists[i]?.length).map((s) => `${s}_data_paths`);
      throw new ConfigError(`${missing.join(' and ')} not set; GPT-NeoX needs all three path lists or none (point them at the same files to reuse data)`, missing[0]!);
    }
    const built = SPLITS.map((split, i) => blendedSplit(config, split, lists[i]!, counts[split], open, gpt2));
    return { train: built[0]!, valid: built[1]!, test: built[2]!, close };
  } catch (error) {
    close();
    throw error;
  }
}

function blendedSplit(
  config: DataConfig,
  split: SplitName,
  paths: readonly string[],
  numSamples: number,
  open: (prefix: string) => IndexedDataset,
  gpt2: (data: IndexedDataset, name: string, range: DocumentRange, numSamples: number) => GPT2Dataset,
): SampleSource {
  const key = `${split}_data_weights` as const;
  const given = config[key];
  if (given && given.length !== paths.length) {
    throw new ConfigError(`${key} has ${given.length} weights for ${paths.length} paths in ${split}_data_paths; give one weight per path`, key);
  }
  if (given?.some((w) => typeof w !== 'number' || !(w >= 0))) {
    throw new ConfigError(`${key} is ${JSON.stringify(given)}; weights must be non-negative numbers`, key);
  }
  let plan = normalizedWeightsAndSamples(given ?? paths.map(() => 1.0), numSamples);
  const data = paths.map(open);
  if (config.weight_by_num_documents) {
    const alpha = config.weighted_sampler_alpha ?? DATA_DEFAULTS.weighted_sampler_alpha;
    plan = normalizedWeightsAndSamples(weightsByNumDocs(data.map((d) => d.length), alpha), numSamples);
  }
  const datasets = data.map((d, i) => gpt2(d, `${split}_${i}`, { start: 0, end: d.length }, plan.numSamples[i]!));
  return new BlendableDataset(split, datasets, plan.weights);
}
