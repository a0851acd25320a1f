/**
 * Learning-rate schedule lengths (reference §3.1): lr_decay_iters resolved by the schedule
 * module's rule (lr_decay_iters, else floor(train_iters x lr_decay_fraction), else train_iters,
 * at least 1) and warmup_iters = warmup x lr_decay_iters, a float.
 */
import { ConfigError } from '../errors';
import { resolveDecayIters } from '../schedule/learning-rate';
import type { RegistryValues } from './config-types';
import type { ResolveContext } from './resolve-context';

export function deriveSchedule(config: RegistryValues, context: ResolveContext): void {
  if (config.train_iters !== null && config.train_epochs !== null) {
    throw new ConfigError(
      `train_iters ${config.train_iters} (${context.originOf('train_iters')}) and train_epochs ${config.train_epochs} (${context.originOf('train_epochs')}) are both set; give one`,
      'train_iters',
    );
  }
  const decayIters = resolveDecayIters(config);
  config.lr_decay_iters = decayIters;
  config.warmup_iters = decayIters === null ? null : config.warmup * decayIters;
}
