/**
 * Fills every registry key the sources did not set with its default, giving the complete record
 * the derivation works on. An explicit null keeps GPT-NeoX's meaning: "use the default", except
 * for gradient_accumulation_steps, where null asks for it to be derived (reference §3.5). neox's
 * own blocks get each missing field's default.
 */
import type { RegistryValues } from './config-types';
import type { KeySpec } from './key-spec';
import { KEY_REGISTRY } from './key-registry';

/** Keys whose explicit null means something other than "default". */
const NULL_IS_MEANINGFUL = new Set(['gradient_accumulation_steps']);

function fieldDefaults(spec: KeySpec): Record<string, unknown> {
  return Object.fromEntries(Object.entries(spec.fields ?? {}).map(([name, field]) => [name, field.default]));
}

/**
 * The complete record: merged values (already type-checked by check-types.ts, which is what makes
 * the cast to RegistryValues sound) over the registry defaults.
 */
export function applyDefaults(values: Record<string, unknown>): RegistryValues {
  const complete: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(KEY_REGISTRY) as [string, KeySpec][]) {
    const given = values[key];
    if (spec.fields) {
      const block = (given ?? {}) as Record<string, unknown>;
      const withDefaults = fieldDefaults(spec);
      for (const [field, value] of Object.entries(block)) if (value !== null) withDefaults[field] = value;
      complete[key] = withDefaults;
    } else if (given === undefined || (given === null && !NULL_IS_MEANINGFUL.has(key))) {
      complete[key] = structuredClone(spec.default);
    } else {
      complete[key] = given;
    }
  }
  return complete as RegistryValues;
}
