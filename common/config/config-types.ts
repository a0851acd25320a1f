/**
 * The typed, resolved configuration. Most keys take their types from the registry (a key with a
 * null default is `T | null`); the interfaces below narrow the keys the loader always fills in,
 * and, for `NeoxConfig`, the keys a training configuration is guaranteed to have.
 */
import type { KeyValue, SpecValue } from './key-spec';
import type { KeyName, KeyRegistry } from './key-registry';

/** Every registry key with the type its registry entry declares. */
export type RegistryValues = { [K in KeyName]: KeyValue<KeyRegistry[K]> };

export type Precision = 'fp16' | 'fp32' | 'bfloat16';
export type ElasticSettings = SpecValue<KeyRegistry['elastic']>;
export type CoordinatorSettings = SpecValue<KeyRegistry['coordinator']>;

/** DeepSpeed's `optimizer` block: `type` and `params` are checked; params pass through as written. */
export interface OptimizerBlock {
  type: string;
  params: Record<string, unknown> & { lr?: number };
  [extra: string]: unknown;
}

/** DeepSpeed's `zero_optimization` block (the defaults of reference §5.2 when unset). */
export interface ZeroOptimizationBlock {
  stage: number;
  [setting: string]: unknown;
}

/** Keys the loader resolves for every purpose, including `config show` of a partial file. */
export interface AlwaysResolved {
  global_num_gpus: number;
  world_size: number;
  pipeline_stages: number;
  data_parallel_size: number;
  is_pipe_parallel: boolean;
  model_parallel_size: number;
  precision: Precision;
  clip_grad: number;
  zero_optimization: ZeroOptimizationBlock;
  zero_stage: number;
  zero_reduce_scatter: boolean;
  zero_contiguous_gradients: boolean;
  zero_reduce_bucket_size: number;
  zero_allgather_bucket_size: number;
  dynamic_loss_scale: boolean;
  text_gen_type: string;
  optimizer: OptimizerBlock | null;
  /** One type per layer once num_layers is known; as written (or null) before that. */
  attention_config: string[] | unknown[] | null;
  /** null only when set to null explicitly and no batch size could be derived from. */
  gradient_accumulation_steps: number | null;
  elastic: ElasticSettings;
  coordinator: CoordinatorSettings;
}

/** What `loadConfig(..., { purpose: 'show' })` returns: required keys may still be null. */
export type PartialNeoxConfig = Omit<RegistryValues, keyof AlwaysResolved> & AlwaysResolved;

/** Keys that a configuration validated for training always has. */
export interface TrainingGuarantees {
  num_layers: number;
  hidden_size: number;
  num_attention_heads: number;
  num_kv_heads: number;
  head_dim: number;
  seq_length: number;
  max_position_embeddings: number;
  train_batch_size: number;
  train_micro_batch_size_per_gpu: number;
  gradient_accumulation_steps: number;
  batch_size: number;
  optimizer: OptimizerBlock;
  optimizer_type: NonNullable<RegistryValues['optimizer_type']>;
  lr: number;
  attention_config: string[];
  mlp_gated: boolean;
  mlp_linear1_width: number;
  mlp_linear2_width: number;
}

/** The resolved configuration of a run: every key in underscore form, derived keys included. */
export type NeoxConfig = Omit<PartialNeoxConfig, keyof TrainingGuarantees> & TrainingGuarantees;

/**
 * Why a configuration is loaded. `train` (the default) requires everything a run needs and
 * fails on anything missing; `show` accepts partial files (such as a data-paths file alone),
 * reports what is missing as warnings and leaves the dependent derived keys null.
 */
export type ConfigPurpose = 'train' | 'show';

export interface LoadConfigOptions {
  /** "key=value" items applied after the files; the value is read as a YAML scalar or flow collection. */
  overrides?: string[];
  /** World size (ranks); wins over the files' global_num_gpus. Default: global_num_gpus, else 1. */
  worldSize?: number;
  /** Receives every warning (one line each). Default: ignore them. */
  onWarning?: (message: string) => void;
  /** See ConfigPurpose. Default 'train'. */
  purpose?: ConfigPurpose;
}

/** Where each key's value came from: a file path as given, "--set", "--world-size", "derived" or "default". */
export type KeyOrigins = Record<string, string>;
