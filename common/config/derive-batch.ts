/**
 * The batch triple (reference §3.5, GPT-NeoX calculate_batch_parameters): whichever of
 * train_batch_size (B), train_micro_batch_size_per_gpu (m) and gradient_accumulation_steps (g)
 * are missing are derived from B = m x g x dp, and the identity is then required to hold. g
 * defaults to 1, so "B and m" uses g = 1 and is checked, not solved for g; only an explicit
 * `gradient_accumulation_steps: null` makes g derived.
 */
import { ConfigError } from '../errors';
import type { RegistryValues } from './config-types';
import { nearbyMultiples, ratio } from './describe-values';
import type { ResolveContext } from './resolve-context';

/** numerator / denominator, which must be whole; `explain` builds the message when it is not. */
function exactQuotient(numerator: number, denominator: number, explain: (quotient: string) => string): number {
  if (numerator % denominator !== 0) throw new ConfigError(explain(ratio(numerator, denominator)), 'train_batch_size');
  return numerator / denominator;
}

function identityFix(B: number, m: number, g: number, dp: number, gasWasDefault: boolean): string {
  const product = m * g * dp;
  if (!gasWasDefault) return `set train_batch_size to ${product}, or drop one of the three so it is derived`;
  const neededGas = B % (m * dp) === 0 ? B / (m * dp) : null;
  return neededGas !== null
    ? `gradient_accumulation_steps is not derived when both batch sizes are given: set it to ${neededGas}, or drop train_batch_size`
    : `gradient_accumulation_steps is not derived when both batch sizes are given; set train_batch_size to a multiple of ${m * dp} such as ${product}, or drop it`;
}

export function deriveBatch(config: RegistryValues, context: ResolveContext): void {
  const dp = config.data_parallel_size!;
  let B = config.train_batch_size;
  let m = config.train_micro_batch_size_per_gpu;
  let g = config.gradient_accumulation_steps as number | null; // null only when set so explicitly
  const gasWasDefault = !context.isSet('gradient_accumulation_steps');

  if (B !== null && m !== null && g !== null) {
    // all given (g possibly by default): used as they are, checked below
  } else if (B !== null && m !== null) {
    const perStep = m * dp;
    g = exactQuotient(B, perStep, (q) =>
      `train_batch_size ${B} is not divisible by train_micro_batch_size_per_gpu ${m} x data-parallel size ${dp} = ${perStep} (${B} / ${perStep} = ${q}), ` +
        `so gradient_accumulation_steps cannot be derived; use a train_batch_size that is a multiple of ${perStep} (e.g. ${nearbyMultiples(B!, perStep)})`);
  } else if (B !== null) {
    const gas = g ?? 1;
    const perRank = dp * gas;
    m = exactQuotient(B, perRank, (q) =>
      `train_batch_size ${B} is not divisible by data-parallel size ${dp} x gradient_accumulation_steps ${gas} = ${perRank} (${B} / ${perRank} = ${q}), ` +
        `so train_micro_batch_size_per_gpu cannot be derived; use a train_batch_size that is a multiple of ${perRank} (e.g. ${nearbyMultiples(B!, perRank)}) or set train_micro_batch_size_per_gpu`);
    g = gas;
  } else if (m !== null) {
    g = g ?? 1;
    B = m * g * dp;
  } else {
    return; // neither batch size: reported by the required-keys check
  }

  if (B !== m * g * dp) {
    throw new ConfigError(
      `train_batch_size ${B} ≠ train_micro_batch_size_per_gpu ${m} x gradient_accumulation_steps ${g}${gasWasDefault ? ' (the default)' : ''} x data-parallel size ${dp} = ${m * g * dp}; ` +
        identityFix(B, m, g, dp, gasWasDefault),
      'train_batch_size',
    );
  }
  config.train_batch_size = B;
  config.train_micro_batch_size_per_gpu = m;
  config.gradient_accumulation_steps = g;
  config.batch_size = m;
  config.gas = g;
}
