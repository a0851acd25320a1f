/**
 * Makes sure a run's indexed datasets exist before training starts. When a prefix is missing and
 * the config names raw input (`data_preprocess`, our key), the input is preprocessed into it — so
 * a config can ship with its raw corpus and train on first run. Anything else missing is an error
 * that says what to run.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import type { NeoxConfig } from '../../common/config';
import { preprocess, PreprocessProgress, PreprocessSummary } from '../../common/data';
import { tokenizerSourceFor } from '../../common/data/preprocess/tokenizer-source';
import { ConfigError } from '../../common/errors';

const datasetExists = (prefix: string) => existsSync(`${prefix}.bin`) && existsSync(`${prefix}.idx`);

/** Every dataset prefix the config trains or evaluates on. */
export function dataPrefixes(config: NeoxConfig): string[] {
  const lists = [config.train_data_paths, config.valid_data_paths, config.test_data_paths].flatMap((l) => l ?? []);
  return [...new Set([...(config.data_path ? [config.data_path] : []), ...lists])];
}

/**
 * Preprocesses `data_preprocess.input` into each missing prefix. GPT-NeoX names outputs
 * `{output_prefix}_{key}_document`, so a prefix must end with `_{key}_document`.
 */
export async function prepareData(
  config: NeoxConfig,
  report: { progress(p: PreprocessProgress): void; done(prefix: string, summary: PreprocessSummary): void },
  signal?: AbortSignal,
): Promise<void> {
  const missing = dataPrefixes(config).filter((prefix) => !datasetExists(prefix));
  if (missing.length === 0) return;
  const raw = config.data_preprocess;
  const inputs = (raw.input ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (inputs.length === 0) {
    throw new ConfigError(
      `dataset ${missing[0]}.bin/.idx does not exist; create it with "neox preprocess --output-prefix …" or set data_preprocess.input to raw jsonl that neox train should preprocess`,
      'data_path',
    );
  }
  const key = (raw.jsonl_keys ?? 'text').split(',')[0]!.trim();
  for (const prefix of missing) {
    const suffix = `_${key}_document`;
    if (!prefix.endsWith(suffix)) {
      throw new ConfigError(`data path ${prefix} must end with "${suffix}" to be produced from data_preprocess (jsonl key "${key}")`, 'data_path');
    }
    mkdirSync(dirname(prefix), { recursive: true });
    const summary = await preprocess({
      inputs,
      keys: [key],
      outputPrefix: prefix.slice(0, -suffix.length),
      tokenizer: tokenizerSourceFor({ tokenizer_type: config.tokenizer_type, vocab_file: config.vocab_file, merge_file: config.merge_file }),
      appendEod: raw.append_eod ?? true,
      workers: raw.workers ?? 1,
      skipInvalid: false,
      signal,
      onProgress: report.progress,
    });
    report.done(prefix, summary);
  }
}
