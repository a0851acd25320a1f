/**
 * `attention_config`: per-layer attention types written as [[types], repeat] entries and expanded
 * as GPT-NeoX's expand_attention_types does (reference §2.7): each entry's pattern is repeated
 * `repeat` times; "all" repeats its pattern over the full depth and (a GPT-NeoX quirk) discards
 * the other entries; a list of plain strings is taken as already expanded. The result must have
 * one type per layer. Default: global attention everywhere.
 */
import { ConfigError } from '../errors';
import type { RegistryValues } from './config-types';
import { ratio, showValue } from './describe-values';
import { ATTENTION_TYPES } from './key-registry';
import { nearestName } from './nearest-key';
import type { ResolveContext } from './resolve-context';

const EXAMPLE = '[[["global"], "all"]] or [[["global", "local"], 6]]';

interface PatternEntry {
  pattern: string[];
  repeat: number | 'all';
}

function readEntry(entry: unknown, index: number, origin: string): PatternEntry {
  const ok =
    Array.isArray(entry) &&
    entry.length === 2 &&
    Array.isArray(entry[0]) &&
    entry[0].length > 0 &&
    entry[0].every((type: unknown) => typeof type === 'string') &&
    (entry[1] === 'all' || (Number.isInteger(entry[1]) && (entry[1] as number) >= 0));
  if (!ok) {
    throw new ConfigError(`attention_config entry ${index + 1} in ${origin} must be [[types...], repeat or "all"], got ${showValue(entry)}; e.g. ${EXAMPLE}`, 'attention_config');
  }
  return { pattern: entry[0] as string[], repeat: entry[1] as number | 'all' };
}

/** The expanded list of per-layer types. */
export function expandAttentionConfig(spec: unknown[], numLayers: number, origin: string, context: ResolveContext): string[] {
  if (spec.every((item) => typeof item === 'string')) return spec as string[];
  const entries = spec.map((entry, index) => readEntry(entry, index, origin));
  const expanded: string[] = [];
  for (const { pattern, repeat } of entries) {
    if (repeat === 'all') {
      if (numLayers % pattern.length !== 0) {
        throw new ConfigError(
          `attention_config pattern ${showValue(pattern)} with "all" does not divide num_layers ${numLayers} (${numLayers} / ${pattern.length} = ${ratio(numLayers, pattern.length)}); ` +
            `use a pattern whose length divides ${numLayers}`,
          'attention_config',
        );
      }
      if (entries.length > 1) context.warn(`attention_config in ${origin}: the "all" entry replaces the whole list (as in GPT-NeoX); the other entries are ignored`);
      return Array.from({ length: numLayers / pattern.length }, () => pattern).flat();
    }
    for (let i = 0; i < repeat; i++) expanded.push(...pattern);
  }
  return expanded;
}

function checkTypes(types: string[], config: RegistryValues, origin: string): void {
  for (const type of types) {
    if ((ATTENTION_TYPES as readonly string[]).includes(type)) continue;
    const near = nearestName(type, ATTENTION_TYPES);
    throw new ConfigError(
      `attention_config in ${origin} names the unknown attention type ${showValue(type)}${near ? `; did you mean '${near}'?` : ''} (known: ${ATTENTION_TYPES.join(', ')})`,
      'attention_config',
    );
  }
  if (config.partition_activations && types.some((type) => type === 'gmlp' || type === 'amlp')) {
    throw new ConfigError('attention_config uses gmlp/amlp blocks, which do not work with partition_activations: true; turn partition_activations off', 'attention_config');
  }
  const heads = config.num_attention_heads;
  const grouped = heads !== null && config.num_kv_heads !== null && config.num_kv_heads < heads;
  const unsupported = types.find((type) => type !== 'flash' && type !== 'global');
  if (grouped && unsupported !== undefined) {
    throw new ConfigError(
      `num_kv_heads ${config.num_kv_heads} < num_attention_heads ${heads} (grouped-query attention) works only with flash or global attention, but attention_config uses '${unsupported}'`,
      'attention_config',
    );
  }
}

export function deriveAttentionConfig(config: RegistryValues, context: ResolveContext): void {
  const layers = config.num_layers;
  if (layers === null) return; // cannot expand without a depth; the required-keys check reports it
  const origin = context.originOf('attention_config');
  const spec = config.attention_config ?? [[['global'], layers]];
  const types = expandAttentionConfig(spec, layers, origin, context);
  if (types.length !== layers) {
    throw new ConfigError(
      `attention_config in ${origin} expands to ${types.length} layers but num_layers is ${layers}; make the repeat counts add up to ${layers}, or write ${EXAMPLE}`,
      'attention_config',
    );
  }
  checkTypes(types, config, origin);
  config.attention_config = types;
}
