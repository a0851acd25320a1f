/**
 * Entry points: read the files left to right, apply the `--set` overrides, resolve.
 */
import type { LoadConfigOptions, NeoxConfig, PartialNeoxConfig } from './config-types';
import { applyOverrides, mergeFiles } from './merge-sources';
import { parseOverride } from './overrides';
import { readConfigFile } from './read-config-file';
import { resolveConfig, type ResolvedConfig } from './resolve-config';

/** The resolved configuration together with where each value came from (for `config show`). */
export function loadConfigWithOrigins(files: string[], options: LoadConfigOptions = {}): ResolvedConfig {
  const onWarning = options.onWarning ?? (() => {});
  const overrides = (options.overrides ?? []).map(parseOverride);
  const merged = mergeFiles(
    files.map((file) => readConfigFile(file, onWarning)),
    onWarning,
  );
  applyOverrides(merged, overrides);
  return resolveConfig(merged, { purpose: options.purpose ?? 'train', worldSize: options.worldSize, onWarning });
}

/**
 * Loads GPT-NeoX YAML files (merged in order) plus overrides into one resolved, validated
 * configuration. Throws ConfigError (one line: key, value, arithmetic, fix) on bad input.
 * With the default purpose 'train' the result has everything a run needs; with 'show' partial
 * files load too and the keys they lack stay null.
 */
export function loadConfig(files: string[], options?: LoadConfigOptions & { purpose?: 'train' }): NeoxConfig;
export function loadConfig(files: string[], options: LoadConfigOptions & { purpose: 'show' }): PartialNeoxConfig;
export function loadConfig(files: string[], options: LoadConfigOptions = {}): NeoxConfig | PartialNeoxConfig {
  // For 'train', checkRequiredKeys and the derivations have thrown unless every TrainingGuarantees key is set.
  return loadConfigWithOrigins(files, options).config as NeoxConfig | PartialNeoxConfig;
}
