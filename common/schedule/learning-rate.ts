/**
 * GPT-NeoX's learning-rate schedule (AnnealingLR; docs/gpt-neox-reference.md §3.1–3.2).
 * n is the scheduler's step count: the number of optimizer updates applied so far (updates
 * skipped for fp16 overflow do not count). lr(0) is used for the first update.
 */

export type DecayStyle = 'constant' | 'linear' | 'cosine' | 'exponential';

export interface LearningRateSchedule {
  /** Peak learning rate (optimizer.params.lr). */
  lr: number;
  /** Floor (min_lr). */
  min_lr: number;
  /** Anything but linear/cosine/exponential behaves as constant, as in GPT-NeoX. */
  lr_decay_style: string;
  /** D: iterations over which the decay runs (resolveDecayIters). */
  lr_decay_iters: number;
  /** Warmup as a fraction of D (GPT-NeoX `warmup`, default 0.01). */
  warmup: number;
}

/** D = lr_decay_iters if set, else floor(train_iters · lr_decay_fraction) if set, else train_iters; at least 1. */
export function resolveDecayIters(keys: {
  lr_decay_iters: number | null;
  lr_decay_fraction: number | null;
  train_iters: number | null;
}): number | null {
  let d: number | null;
  if (keys.lr_decay_iters != null) d = keys.lr_decay_iters;
  else if (keys.lr_decay_fraction != null && keys.train_iters != null) d = Math.floor(keys.train_iters * keys.lr_decay_fraction);
  else d = keys.train_iters;
  return d == null ? null : Math.max(1, d);
}

/** Warmup length W = warmup × D, a float (not rounded). */
export function warmupIters(schedule: LearningRateSchedule): number {
  return schedule.warmup * schedule.lr_decay_iters;
}

export function learningRate(n: number, schedule: LearningRateSchedule): number {
  const { lr: lrMax, min_lr: lrMin, lr_decay_iters: d } = schedule;
  const w = warmupIters(schedule);
  if (w > 0 && n <= w) return (lrMax * Math.max(1, n)) / w; // no min_lr floor during warmup
  const m = n - w;
  const t = d - w;
  let value: number;
  switch (schedule.lr_decay_style) {
    case 'linear':
      value = (lrMax * (t - m)) / t;
      break;
    case 'cosine':
      value = lrMin + ((lrMax - lrMin) * (1 + Math.cos((Math.PI * m) / t))) / 2; // periodic past D, as GPT-NeoX
      break;
    case 'exponential':
      value = lrMax * Math.exp((-0.693 * m) / t);
      break;
    default:
      value = lrMax;
  }
  return Math.max(value, lrMin);
}
