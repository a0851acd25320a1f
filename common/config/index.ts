/**
 * Configuration: GPT-NeoX YAML files merged in order, checked against the key registry,
 * completed with defaults and derived values, validated. The only public surface of this folder.
 *
 *   const config = loadConfig(['configs/pythia/70M.yml', 'local.yml'], { worldSize: 8, onWarning: log });
 *   config.hidden_size; config.train_batch_size; config.padded_vocab_size;
 *
 * Errors are ConfigError (common/errors.ts), one line each.
 */
export { loadConfig, loadConfigWithOrigins } from './load-config';
export type { ResolvedConfig } from './resolve-config';
export type {
  ConfigPurpose,
  CoordinatorSettings,
  ElasticSettings,
  KeyOrigins,
  LoadConfigOptions,
  NeoxConfig,
  OptimizerBlock,
  PartialNeoxConfig,
  Precision,
  RegistryValues,
  ZeroOptimizationBlock,
} from './config-types';
export { ATTENTION_TYPES, GATED_ACTIVATIONS, KEY_NAMES, KEY_REGISTRY, keySpec } from './key-registry';
export type { KeyName, KeyRegistry } from './key-registry';
export { KEY_GROUPS } from './key-spec';
export type { FieldSpec, KeyGroup, KeyOrigin, KeySpec, ValueKind } from './key-spec';
export { configToJson, configToText } from './render-config';
export { renderKeyTable } from './key-table';
export { mlpWidths } from './derive-model-shape';
export { paddedVocabSize } from './derive-vocabulary';
export { ZERO_DEFAULTS } from './derive-optimization';
export { modelContext } from './model-context';
export { singleProcessConfig } from './single-process-config';
export { ConfigError } from '../errors';
