/**
 * Head and MLP geometry: head_dim = hidden_size / num_attention_heads, num_kv_heads defaulting to
 * the head count (reference §2.3), and the two MLP linear widths (reference §2.2). Every division
 * a tensor-parallel split needs is checked here.
 */
import { ConfigError } from '../errors';
import type { RegistryValues } from './config-types';
import { divisorsOf, nearbyMultiples, ratio } from './describe-values';
import { GATED_ACTIVATIONS } from './key-registry';

function deriveHeads(config: RegistryValues): void {
  const hidden = config.hidden_size;
  const heads = config.num_attention_heads;
  const tensorParallel = config.model_parallel_size;
  if (hidden !== null && heads !== null) {
    if (hidden % heads !== 0) {
      throw new ConfigError(
        `hidden_size ${hidden} is not divisible by num_attention_heads ${heads} (${hidden} / ${heads} = ${ratio(hidden, heads)}); ` +
          `use a hidden_size that is a multiple of ${heads} (e.g. ${nearbyMultiples(hidden, heads)}) or a num_attention_heads that divides ${hidden}`,
        'hidden_size',
      );
    }
    config.head_dim = hidden / heads;
  }
  if (heads === null) return;
  if (heads % tensorParallel !== 0) {
    throw new ConfigError(
      `num_attention_heads ${heads} is not divisible by model_parallel_size ${tensorParallel} (${heads} / ${tensorParallel} = ${ratio(heads, tensorParallel)}): ` +
        `each tensor-parallel rank holds whole heads; use a model_parallel_size that divides ${heads} (${divisorsOf(heads)})`,
      'num_attention_heads',
    );
  }
  const kvHeads = config.num_kv_heads ?? heads;
  if (heads % kvHeads !== 0) {
    throw new ConfigError(
      `num_attention_heads ${heads} is not divisible by num_kv_heads ${kvHeads} (${heads} / ${kvHeads} = ${ratio(heads, kvHeads)}): ` +
        `every key/value head serves the same number of query heads; use a num_kv_heads that divides ${heads} (${divisorsOf(heads)})`,
      'num_kv_heads',
    );
  }
  if (kvHeads % tensorParallel !== 0) {
    throw new ConfigError(
      `num_kv_heads ${kvHeads} is not divisible by model_parallel_size ${tensorParallel} (${kvHeads} / ${tensorParallel} = ${ratio(kvHeads, tensorParallel)}): ` +
        `each tensor-parallel rank holds whole key/value heads; use a model_parallel_size that divides ${kvHeads} (${divisorsOf(kvHeads)})`,
      'num_kv_heads',
    );
  }
  config.num_kv_heads = kvHeads;
}

/** Widths of the two MLP linears, as GPT-NeoX's ParallelMLP computes them. */
export function mlpWidths(hidden: number, activation: string, intermediateSize: number | null, expansionFactor: number | null, multipleOf: number) {
  const base = intermediateSize ?? (expansionFactor !== null ? Math.floor(expansionFactor * hidden) : 4 * hidden);
  const gated = (GATED_ACTIVATIONS as readonly string[]).includes(activation);
  const rawFirst = gated ? Math.floor((base * 2) / 3) : base;
  const rawSecond = gated ? Math.floor(rawFirst / 2) : base;
  return {
    base,
    gated,
    linear1: 2 * multipleOf * Math.ceil(rawFirst / (2 * multipleOf)),
    linear2: multipleOf * Math.ceil(rawSecond / multipleOf),
  };
}

function deriveMlp(config: RegistryValues): void {
  if (config.intermediate_size !== null && config.expansion_factor !== null) {
    throw new ConfigError(
      `intermediate_size ${config.intermediate_size} and expansion_factor ${config.expansion_factor} are both set; keep one ` +
        '(intermediate_size is the MLP width, expansion_factor the width as a multiple of hidden_size)',
      'intermediate_size',
    );
  }
  config.mlp_gated = (GATED_ACTIVATIONS as readonly string[]).includes(config.activation);
  if (config.hidden_size === null) return;
  const widths = mlpWidths(config.hidden_size, config.activation, config.intermediate_size, config.expansion_factor, config.mlp_multiple_of);
  const expectedSecond = widths.gated ? widths.linear1 / 2 : widths.linear1;
  if (widths.linear2 !== expectedSecond) {
    throw new ConfigError(
      `the MLP widths disagree: activation ${config.activation} with base width ${widths.base} and mlp_multiple_of ${config.mlp_multiple_of} gives a first linear of ` +
        `${widths.linear1}${widths.gated ? ` (two halves of ${widths.linear1 / 2})` : ''} but a second linear of ${widths.linear2}; ` +
        'choose intermediate_size (or mlp_multiple_of) so that both round to the same width',
      'intermediate_size',
    );
  }
  const tensorParallel = config.model_parallel_size;
  if (widths.linear2 % tensorParallel !== 0) {
    throw new ConfigError(
      `the MLP width ${widths.linear2} is not divisible by model_parallel_size ${tensorParallel} (${widths.linear2} / ${tensorParallel} = ${ratio(widths.linear2, tensorParallel)}); ` +
        'choose intermediate_size or mlp_multiple_of so that it is',
      'intermediate_size',
    );
  }
  config.mlp_linear1_width = widths.linear1;
  config.mlp_linear2_width = widths.linear2;
}

export function deriveModelShape(config: RegistryValues): void {
  deriveHeads(config);
  deriveMlp(config);
}
