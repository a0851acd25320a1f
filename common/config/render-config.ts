/**
 * Two views of a resolved configuration: stable JSON (every key, sorted, for tools and tests) and
 * a readable grouped listing of the keys that were set or derived, with where each came from.
 */
import type { KeyOrigins, PartialNeoxConfig } from './config-types';
import { showValue } from './describe-values';
import { KEY_GROUPS } from './key-spec';
import type { KeySpec } from './key-spec';
import { KEY_REGISTRY } from './key-registry';

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeysDeep((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** Every key in underscore form, keys sorted at every level, two-space indent, trailing newline. */
export function configToJson(config: PartialNeoxConfig): string {
  return JSON.stringify(sortKeysDeep(config), null, 2) + '\n';
}

const VALUE_COLUMN = 28;

/** Grouped listing of the keys not at their defaults; the header states the parallel layout. */
export function configToText(config: PartialNeoxConfig, origins: KeyOrigins): string {
  const rows = (Object.entries(KEY_REGISTRY) as [string, KeySpec][])
    .filter(([key]) => origins[key] !== 'default')
    .map(([key, spec]) => ({ key, group: spec.group, value: showValue((config as unknown as Record<string, unknown>)[key]), origin: origins[key] ?? 'default' }));
  const keyWidth = Math.max(...rows.map((row) => row.key.length));
  const lines = [
    `world size ${config.world_size} = ${config.data_parallel_size} data-parallel x ${config.pipeline_stages} pipeline x ${config.model_parallel_size} tensor-parallel`,
    `${rows.length} keys set or derived are listed; ${Object.keys(KEY_REGISTRY).length - rows.length} keys at their defaults are not (--json prints every key)`,
  ];
  for (const group of KEY_GROUPS) {
    const inGroup = rows.filter((row) => row.group === group);
    if (inGroup.length === 0) continue;
    lines.push('', group.replace(/_/g, ' '));
    for (const row of inGroup) lines.push(`  ${row.key.padEnd(keyWidth)}  ${row.value.padEnd(VALUE_COLUMN)}  ${row.origin}`);
  }
  return lines.join('\n') + '\n';
}
