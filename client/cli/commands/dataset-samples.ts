/**
 * `neox dataset samples CONFIG…`: the first training (or validation/test) samples a config will
 * consume, as token ids, building the index maps if they are missing (as training would).
 */
import { loadConfig } from '../../../common/config';
import { buildDatasets, SPLITS, SplitName } from '../../../common/data/build-datasets';
import type { DataConfig } from '../../../common/data/data-config';
import { UsageError } from '../../../common/errors';
import type { Command } from '../command';

function positiveInteger(value: unknown, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`${flag} ${text} must be an integer ≥ 1`);
  return Number(text);
}

export interface SamplesOutput {
  split: SplitName;
  seq_length: number;
  /** Samples in the split (GPT-NeoX's dataset length). */
  length: number;
  /** Token ids of samples 0..first−1, each seq_length + 1 long. */
  samples: number[][];
}

/** The first `first` samples of a split of a loaded config. */
export function firstSamples(config: DataConfig, split: SplitName, first: number, log?: (line: string) => void): SamplesOutput {
  const datasets = buildDatasets(config, { log });
  try {
    const dataset = datasets[split];
    if (!dataset) throw new UsageError(`the config has no ${split} data (its split gives it no documents, or no ${split}_data_paths)`);
    const samples: number[][] = [];
    for (let i = 0; i < Math.min(first, dataset.length); i++) samples.push(Array.from(dataset.getSample(i)));
    return { split, seq_length: dataset.seqLength, length: dataset.length, samples };
  } finally {
    datasets.close();
  }
}

export const datasetSamplesCommand: Command = {
  name: 'dataset samples',
  summary: 'Print the token ids of the first samples a config trains on',
  usage: 'neox dataset samples CONFIG.yml [MORE.yml…] [--split train|valid|test] [--first N] [--world-size N] [--set KEY=VALUE…] [--json]',
  help: [
    'Loads the GPT-NeoX config files (merged in order), opens its data (data_path with split, or the',
    'train/valid/test_data_paths lists with their weights) and prints samples 0..N−1 of the split in',
    'the order training consumes them: seq_length + 1 token ids each. Index-map caches',
    '(*_indexmap_*.npy next to the data, GPT-NeoX\'s names and format) are built if missing and reused',
    'otherwise, so this also prepares a run.',
    '',
    '  --split S       train (default), valid or test',
    '  --first N       how many samples (default 1)',
    '  --world-size N  ranks the run will use (default: the config\'s global_num_gpus, else 1); it fixes',
    '                  train_batch_size and so the sample counts (and the cache names)',
    '  --set K=V       override a config key (repeatable), as in neox config show',
    '  --json          print {"split", "seq_length", "length", "samples": [[ids…], …]} (stable)',
  ].join('\n'),
  options: {
    split: { type: 'string' },
    first: { type: 'string' },
    'world-size': { type: 'string' },
    set: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  },
  async run({ positionals, values, stdout, stderr }) {
    if (positionals.length === 0) throw new UsageError('neox dataset samples needs at least one config file');
    const split = (values.split ?? 'train') as SplitName;
    if (!SPLITS.includes(split)) throw new UsageError(`--split ${String(values.split)} must be train, valid or test`);
    const first = positiveInteger(values.first, '--first', 1);
    const worldSize = values['world-size'] === undefined ? undefined : positiveInteger(values['world-size'], '--world-size', 1);
    const overrides = (values.set ?? []) as string[];
    const config: DataConfig = loadConfig(positionals, { worldSize, overrides, onWarning: (w) => stderr.write(`neox: warning: ${w}\n`) });
    const output = firstSamples(config, split, first, (line) => stderr.write(`${line}\n`));
    if (values.json) {
      stdout.write(JSON.stringify(output) + '\n');
      return;
    }
    stdout.write(`${split}: ${output.length.toLocaleString('en-US')} samples of ${output.seq_length} + 1 tokens\n`);
    output.samples.forEach((ids, i) => stdout.write(`sample ${i}: ${ids.join(' ')}\n`));
  },
};
