/**
 * From merged values to the resolved configuration: unknown keys dropped, types checked, defaults
 * filled, required keys checked, every derived key computed in dependency order, cross-key rules
 * validated. Also records where each final value came from.
 */
import { isDeepStrictEqual } from 'node:util';

import { applyDefaults } from './apply-defaults';
import { deriveAttentionConfig } from './attention-config';
import { dropUnknownKeys } from './check-keys';
import { checkTypes } from './check-types';
import type { ConfigPurpose, KeyOrigins, PartialNeoxConfig, RegistryValues } from './config-types';
import { deriveBatch } from './derive-batch';
import { deriveDataDefaults } from './derive-data';
import { deriveModelShape } from './derive-model-shape';
import { deriveOptimization } from './derive-optimization';
import { derivePrecision } from './derive-precision';
import { deriveSchedule } from './derive-schedule';
import { deriveTopology } from './derive-topology';
import { deriveVocabulary } from './derive-vocabulary';
import { showValue } from './describe-values';
import type { KeySpec } from './key-spec';
import { KEY_REGISTRY } from './key-registry';
import type { MergedValues } from './merge-sources';
import { ResolveContext } from './resolve-context';
import { checkRequiredKeys, validateValues } from './validate-values';

export interface ResolvedConfig {
  config: PartialNeoxConfig;
  /** Per key: the file or "--set" that set it, "--world-size", "derived" or "default". */
  origins: KeyOrigins;
}

export interface ResolveOptions {
  purpose: ConfigPurpose;
  worldSize: number | undefined;
  onWarning: (message: string) => void;
}

const REGISTRY_ENTRIES = Object.entries(KEY_REGISTRY) as [string, KeySpec][];

/** A derived key set in a file is replaced; say so when the file's value differs. */
function warnReplacedDerivedKeys(config: RegistryValues, given: Record<string, unknown>, context: ResolveContext): void {
  const resolved = config as Record<string, unknown>;
  for (const [key, spec] of REGISTRY_ENTRIES) {
    if (spec.derivedFrom === undefined || !(key in given) || given[key] === null) continue;
    if (isDeepStrictEqual(given[key], resolved[key])) continue;
    context.warn(`${key} is derived from ${spec.derivedFrom}; the value ${showValue(given[key])} set in ${context.originOf(key)} is replaced by ${showValue(resolved[key])}`);
  }
}

function finalOrigins(config: RegistryValues, merged: MergedValues, worldSize: number | undefined): KeyOrigins {
  const resolved = config as Record<string, unknown>;
  const origins: KeyOrigins = {};
  for (const [key, spec] of REGISTRY_ENTRIES) {
    const source = merged.origins[key];
    if (source !== undefined && spec.derivedFrom === undefined) origins[key] = source;
    else if (spec.derivedFrom !== undefined || !isDeepStrictEqual(resolved[key], spec.default)) origins[key] = 'derived';
    else origins[key] = 'default';
  }
  if (worldSize !== undefined) origins.global_num_gpus = '--world-size';
  return origins;
}

export function resolveConfig(merged: MergedValues, options: ResolveOptions): ResolvedConfig {
  dropUnknownKeys(merged, options.onWarning);
  checkTypes(merged, options.onWarning);
  const given = structuredClone(merged.values);
  const config = applyDefaults(merged.values);
  const context = new ResolveContext(options.purpose, merged.origins, options.worldSize, options.onWarning);

  checkRequiredKeys(config, context);
  deriveTopology(config, context);
  deriveBatch(config, context);
  derivePrecision(config, context);
  deriveOptimization(config, context);
  deriveModelShape(config);
  deriveAttentionConfig(config, context);
  deriveVocabulary(config, context);
  deriveSchedule(config, context);
  deriveDataDefaults(config);
  validateValues(config, context);
  warnReplacedDerivedKeys(config, given, context);

  // deriveTopology, derivePrecision and deriveOptimization fill the AlwaysResolved keys.
  return { config: config as unknown as PartialNeoxConfig, origins: finalOrigins(config, merged, options.worldSize) };
}
