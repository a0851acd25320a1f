/**
 * Merges config files left to right, then the command-line overrides, remembering where each
 * key's value came from. GPT-NeoX refuses a key set in two files; we let the later file win and
 * warn, naming both files and both values.
 */
import type { KeyOrigins } from './config-types';
import { showValue } from './describe-values';
import type { Override } from './overrides';
import type { ConfigFileContent } from './read-config-file';

export interface MergedValues {
  values: Record<string, unknown>;
  /** Key -> the file path (as given) or "--set" that set it last. */
  origins: KeyOrigins;
}

export function mergeFiles(files: ConfigFileContent[], onWarning: (message: string) => void): MergedValues {
  const values: Record<string, unknown> = {};
  const origins: KeyOrigins = {};
  for (const file of files) {
    for (const [key, value] of file.values) {
      const earlier = origins[key];
      if (earlier !== undefined) {
        onWarning(
          `${key} is set in both ${earlier} (${showValue(values[key])}) and ${file.path} (${showValue(value)}); ` +
            `${file.path}, the later file, wins (GPT-NeoX would refuse the duplicate)`,
        );
      }
      values[key] = value;
      origins[key] = file.path;
    }
  }
  return { values, origins };
}

/** Applies `--set` overrides in order; a dotted key changes one field inside a block. */
export function applyOverrides(merged: MergedValues, overrides: Override[]): void {
  for (const override of overrides) {
    const [top, ...inside] = override.path;
    merged.values[top!] = inside.length === 0 ? override.value : withField(merged.values[top!], [top!], inside, override);
    merged.origins[top!] = '--set';
  }
}

/**
 * A copy of `block` (found at `blockPath`) with the field at `fieldPath` set; blocks along the way
 * are created when missing.
 */
function withField(block: unknown, blockPath: string[], fieldPath: string[], override: Override): Record<string, unknown> {
  const base = block ?? {};
  const [field, ...rest] = fieldPath;
  if (typeof base !== 'object' || Array.isArray(base)) throw override.notABlock(blockPath.join('.'), showValue(block), field!);
  const copy: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  copy[field!] = rest.length === 0 ? override.value : withField(copy[field!], [...blockPath, field!], rest, override);
  return copy;
}
