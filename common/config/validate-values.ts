/**
 * Rules between keys that derivation does not already enforce (GPT-NeoX validate_values, reference
 * §5.2, plus checks of neox's own blocks). `checkRequiredKeys` runs before derivation; the rest
 * after it, on resolved values.
 */
import { ConfigError } from '../errors';
import type { RegistryValues } from './config-types';
import { showValue } from './describe-values';
import { keySpec } from './key-registry';
import type { ResolveContext } from './resolve-context';

/** Keys (or either-or pairs) every training configuration needs. */
const REQUIRED_TO_TRAIN: { names: string; present: (config: RegistryValues) => boolean }[] = [
  { names: 'num_layers', present: (c) => c.num_layers !== null },
  { names: 'hidden_size', present: (c) => c.hidden_size !== null },
  { names: 'num_attention_heads', present: (c) => c.num_attention_heads !== null },
  { names: 'max_position_embeddings', present: (c) => c.max_position_embeddings !== null },
  { names: 'seq_length', present: (c) => c.seq_length !== null },
  { names: 'optimizer', present: (c) => c.optimizer !== null },
  { names: 'train_micro_batch_size_per_gpu or train_batch_size', present: (c) => c.train_micro_batch_size_per_gpu !== null || c.train_batch_size !== null },
  { names: 'train_iters or train_epochs', present: (c) => c.train_iters !== null || c.train_epochs !== null },
];

export function checkRequiredKeys(config: RegistryValues, context: ResolveContext): void {
  const missing = REQUIRED_TO_TRAIN.filter((rule) => !rule.present(config)).map((rule) => rule.names);
  if (missing.length === 0) return;
  context.incomplete(
    `required keys are not set: ${missing.join(', ')}; add them to a config file or with --set (a model config such as configs/pythia/70M.yml sets all of them)`,
    missing[0]!.split(' ')[0]!,
  );
}

function checkModelLimits(config: RegistryValues): void {
  const { seq_length: seq, max_position_embeddings: positions } = config;
  if (seq !== null && positions !== null && positions < seq) {
    throw new ConfigError(
      `max_position_embeddings ${positions} is smaller than seq_length ${seq}; set max_position_embeddings to at least ${seq} or lower seq_length`,
      'max_position_embeddings',
    );
  }
  const { num_unique_layers: unique, num_layers: layers } = config;
  if (unique !== null && layers !== null && (unique > layers || layers % unique !== 0)) {
    throw new ConfigError(`num_unique_layers ${unique} must divide num_layers ${layers}; use one of its divisors`, 'num_unique_layers');
  }
  if (config.fp16_lm_cross_entropy && config.precision !== 'fp16') {
    throw new ConfigError(`fp16_lm_cross_entropy needs fp16 precision, but precision is ${config.precision}; turn it off or enable fp16`, 'fp16_lm_cross_entropy');
  }
}

function checkLearningRate(config: RegistryValues): void {
  if (config.lr !== null && config.min_lr > config.lr) {
    throw new ConfigError(
      `min_lr ${config.min_lr} is greater than the peak learning rate ${config.lr} (optimizer.params.lr); set min_lr to at most ${config.lr} (Pythia uses lr / 10)`,
      'min_lr',
    );
  }
}

function checkCheckpointCadence(config: RegistryValues, context: ResolveContext): void {
  if (config.save !== null && config.checkpoint_factor === null && config.extra_save_iters === null) {
    context.incomplete(
      `save is set (${showValue(config.save)}) but neither checkpoint_factor nor extra_save_iters is, so no step would be saved; ` +
        'add checkpoint_factor (e.g. 1000: every 1000 steps) or extra_save_iters',
      'save',
    );
  }
}

const SPLITS = ['train', 'valid', 'test'] as const;

function checkDataPaths(config: RegistryValues, context: ResolveContext): void {
  const lists = SPLITS.filter((split) => config[`${split}_data_paths`] !== null).map((split) => `${split}_data_paths`);
  if (config.data_path !== null && lists.length > 0) {
    throw new ConfigError(
      `data_path and ${lists.join(', ')} are both set; use data_path (one dataset cut by split) or the train/valid/test lists, not both`,
      'data_path',
    );
  }
  if (lists.length > 0 && lists.length < SPLITS.length) {
    const absent = SPLITS.map((split) => `${split}_data_paths`).filter((key) => !lists.includes(key));
    context.incomplete(
      `${lists.join(' and ')} ${lists.length === 1 ? 'is' : 'are'} set but ${absent.join(' and ')} ${absent.length === 1 ? 'is' : 'are'} not; ` +
        'give all three lists (they may name the same dataset) or use data_path with split',
      absent[0]!,
    );
  }
  for (const split of SPLITS) {
    const paths = config[`${split}_data_paths`];
    const weights = config[`${split}_data_weights`];
    if (paths !== null && weights !== null && paths.length !== weights.length) {
      throw new ConfigError(
        `${split}_data_weights has ${weights.length} entries but ${split}_data_paths has ${paths.length}; give one weight per path, or drop ${split}_data_weights for equal weights`,
        `${split}_data_weights`,
      );
    }
  }
}

/** GPT-NeoX refuses deepspeed_extra_args entries that repeat a top-level key set elsewhere. */
function checkDeepSpeedExtras(config: RegistryValues, context: ResolveContext): void {
  for (const key of Object.keys(config.deepspeed_extra_args ?? {})) {
    if (keySpec(key) && context.isSet(key)) {
      throw new ConfigError(
        `deepspeed_extra_args.${key} (${context.originOf('deepspeed_extra_args')}) repeats the top-level key ${key} (${context.originOf(key)}); keep only one of them`,
        'deepspeed_extra_args',
      );
    }
  }
}

function checkElastic(config: RegistryValues): void {
  const minimum = config.elastic.min_world_size;
  if (minimum === null) return;
  const world = config.world_size!;
  const modelGroup = config.pipeline_stages! * config.model_parallel_size;
  if (minimum > world) {
    throw new ConfigError(`elastic.min_world_size ${minimum} is larger than the world size ${world}; set it to at most ${world}`, 'elastic');
  }
  if (minimum % modelGroup !== 0) {
    throw new ConfigError(
      `elastic.min_world_size ${minimum} is not a multiple of pipeline stages ${config.pipeline_stages} x model_parallel_size ${config.model_parallel_size} = ${modelGroup}; ` +
        'elastic shrinking keeps tensor and pipeline parallelism and only removes whole data-parallel replicas',
      'elastic',
    );
  }
}

function checkCoordinator(config: RegistryValues): void {
  const address = config.coordinator.address;
  if (address === null) return;
  const match = /^(.+):(\d+)$/.exec(address);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 1 || port > 65535) {
    throw new ConfigError(`coordinator.address ${showValue(address)} must be host:port with a port from 1 to 65535, e.g. '127.0.0.1:50051'`, 'coordinator');
  }
}

export function validateValues(config: RegistryValues, context: ResolveContext): void {
  checkModelLimits(config);
  checkLearningRate(config);
  checkCheckpointCadence(config, context);
  checkDataPaths(config, context);
  checkDeepSpeedExtras(config, context);
  checkElastic(config);
  checkCoordinator(config);
}
