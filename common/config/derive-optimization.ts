/**
 * Optimizer-side derived keys (reference §5.2, §3.3, §3.4): optimizer_type and lr from the
 * optimizer block, clip_grad = gradient_clipping, the ZeRO defaults and zero_* copies, and
 * dynamic_loss_scale = (top-level loss_scale is unset).
 */
import { ConfigError } from '../errors';
import type { RegistryValues } from './config-types';
import { showValue } from './describe-values';
import { KEY_REGISTRY } from './key-registry';
import { nearestName } from './nearest-key';
import type { ResolveContext } from './resolve-context';

/** DeepSpeed's ZeRO defaults that GPT-NeoX applies when zero_optimization is unset. */
export const ZERO_DEFAULTS = {
  stage: 0,
  allgather_partitions: true,
  reduce_scatter: true,
  allgather_bucket_size: 500_000_000,
  overlap_comm: false,
  reduce_bucket_size: 500_000_000,
  contiguous_gradients: false,
};

/** GPT-NeoX's learning rate when the optimizer block has no params.lr. */
const FALLBACK_LR = 0.001;

const OPTIMIZER_TYPES = KEY_REGISTRY.optimizer_type.choices;

function deriveOptimizerKeys(config: RegistryValues, context: ResolveContext): void {
  const optimizer = config.optimizer;
  if (optimizer === null) {
    config.lr = null; // the required-keys check reports the missing optimizer
    return;
  }
  const written = optimizer.type as string;
  const type = OPTIMIZER_TYPES.find((name) => name === written.toLowerCase());
  if (type === undefined) {
    const near = nearestName(written, OPTIMIZER_TYPES);
    const hint = written.toLowerCase() === 'adamw' ? "use 'Adam' (it already decouples weight decay like AdamW)" : near ? `did you mean '${near}'?` : 'pick one of them';
    throw new ConfigError(`optimizer.type ${showValue(written)} in ${context.originOf('optimizer')} is not one of ${OPTIMIZER_TYPES.join(', ')}; ${hint}`, 'optimizer');
  }
  const params = optimizer.params as Record<string, unknown>;
  let lr = params.lr as number | undefined;
  if (lr === undefined) {
    context.warn(`optimizer.params.lr is not set in ${context.originOf('optimizer')}; using GPT-NeoX's fallback ${FALLBACK_LR}`);
    lr = FALLBACK_LR;
  }
  config.optimizer_type = type;
  config.lr = lr;
}

function deriveZero(config: RegistryValues, context: ResolveContext): void {
  const zero = config.zero_optimization ?? structuredClone(ZERO_DEFAULTS); // a given block replaces the defaults whole
  if (!('stage' in zero)) {
    throw new ConfigError(`zero_optimization in ${context.originOf('zero_optimization')} has no 'stage'; add stage: 0 (off), 1, 2 or 3`, 'zero_optimization');
  }
  if (![0, 1, 2, 3].includes(zero.stage as number)) {
    throw new ConfigError(`zero_optimization.stage in ${context.originOf('zero_optimization')} must be 0, 1, 2 or 3, got ${showValue(zero.stage)}`, 'zero_optimization');
  }
  const setting = <K extends keyof typeof ZERO_DEFAULTS>(name: K) => (zero[name] ?? ZERO_DEFAULTS[name]) as (typeof ZERO_DEFAULTS)[K];
  config.zero_optimization = zero;
  config.zero_stage = zero.stage;
  config.zero_reduce_scatter = setting('reduce_scatter');
  config.zero_contiguous_gradients = setting('contiguous_gradients');
  config.zero_reduce_bucket_size = setting('reduce_bucket_size');
  config.zero_allgather_bucket_size = setting('allgather_bucket_size');
}

export function deriveOptimization(config: RegistryValues, context: ResolveContext): void {
  deriveOptimizerKeys(config, context);
  deriveZero(config, context);
  config.clip_grad = config.gradient_clipping;
  config.dynamic_loss_scale = config.loss_scale === null;
}
