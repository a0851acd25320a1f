/**
 * Unknown top-level keys. GPT-NeoX refuses them; we drop them with a warning that suggests the
 * nearest known key, so a typo is visible but a config written for a newer GPT-NeoX still loads.
 */
import { KEY_NAMES, keySpec } from './key-registry';
import type { MergedValues } from './merge-sources';
import { nearestName } from './nearest-key';

/** The warning for an unknown key `key` found in `origin` (a file path or "--set"). */
export function unknownKeyMessage(key: string, origin: string, known: Iterable<string>): string {
  const near = nearestName(key, known);
  return near
    ? `unknown key '${key}' in ${origin}; did you mean '${near}'? (ignored)`
    : `unknown key '${key}' in ${origin} (ignored); configs/README.md lists the accepted keys`;
}

export function dropUnknownKeys(merged: MergedValues, onWarning: (message: string) => void): void {
  for (const key of Object.keys(merged.values)) {
    if (keySpec(key)) continue;
    onWarning(unknownKeyMessage(key, merged.origins[key] ?? 'the configuration', KEY_NAMES));
    delete merged.values[key];
    delete merged.origins[key];
  }
}
