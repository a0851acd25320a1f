/**
 * How many samples each split must provide (gpt-neox data_utils, docs/gpt-neox-reference.md §4.5):
 * train = train_iters · B, valid = (train_iters // eval_interval + 1) · eval_iters · B,
 * test = eval_iters · B, with B = train_batch_size.
 */
import { ConfigError } from '../errors';
import { DATA_DEFAULTS, DataConfig } from './data-config';

export interface SplitSampleCounts {
  train: number;
  valid: number;
  test: number;
}

function nonNegativeInteger(config: DataConfig, key: 'train_iters' | 'eval_interval' | 'eval_iters' | 'train_batch_size', fallback?: number): number {
  const value = config[key] ?? fallback;
  if (value === undefined || value === null) {
    const hint = key === 'train_iters' ? ' (training by train_epochs is not supported yet)' : key === 'train_batch_size' ? ' (set it, or train_micro_batch_size_per_gpu, so the config loader derives it)' : '';
    throw new ConfigError(`${key} is not set; the data pipeline needs it to size the index maps${hint}`, key);
  }
  if (!Number.isSafeInteger(value) || value < 0 || (key !== 'train_iters' && key !== 'eval_iters' && value === 0)) {
    throw new ConfigError(`${key} is ${JSON.stringify(value)}; expected a ${key === 'train_iters' || key === 'eval_iters' ? 'non-negative' : 'positive'} integer`, key);
  }
  return value;
}

export function splitSampleCounts(config: DataConfig): SplitSampleCounts {
  const trainIters = nonNegativeInteger(config, 'train_iters');
  const batch = nonNegativeInteger(config, 'train_batch_size');
  const evalInterval = nonNegativeInteger(config, 'eval_interval', DATA_DEFAULTS.eval_interval);
  const evalIters = nonNegativeInteger(config, 'eval_iters', DATA_DEFAULTS.eval_iters);
  return {
    train: trainIters * batch,
    valid: (Math.floor(trainIters / evalInterval) + 1) * evalIters * batch,
    test: evalIters * batch,
  };
}
