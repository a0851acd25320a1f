/**
 * Command-line overrides: `--set key=value`. The key may use dashes (top level) and dots to reach
 * into a block (`optimizer.params.lr=3e-4`); the value is read in the config dialect, so
 * `768` is a number, `[1, 2]` a list, `{enabled: true}` a mapping and an empty value null.
 */
import { ConfigError } from '../errors';
import { parseValueText } from './neox-yaml';
import { normalizeKey } from './read-config-file';

export interface Override {
  /** Top-level key (underscore form) followed by the fields inside it, if any. */
  path: string[];
  value: unknown;
  /** The error for a dotted override that reaches through a value that is not a mapping. */
  notABlock(blockPath: string, blockShown: string, field: string): ConfigError;
}

export function parseOverride(text: string): Override {
  const equals = text.indexOf('=');
  const rawKey = equals < 0 ? '' : text.slice(0, equals).trim();
  if (rawKey === '' || rawKey.split('.').some((part) => part === '')) {
    throw new ConfigError(`--set ${text}: expected key=value (a dotted key reaches into a block), e.g. --set hidden_size=768 or --set optimizer.params.lr=0.0003`);
  }
  const [top, ...inside] = rawKey.split('.');
  const path = [normalizeKey(top!), ...inside];
  const value = parseValueText(text.slice(equals + 1).trim(), `--set ${text}`);
  return {
    path,
    value,
    notABlock: (blockPath, blockShown, field) =>
      new ConfigError(`--set ${text}: ${blockPath} is ${blockShown}, not a mapping, so it has no field '${field}'; set ${blockPath} as a whole instead`, path[0]!),
  };
}
