/**
 * Reads one config file: its text, its top-level entries (neox-yaml.ts) and their keys in
 * underscore form. Only top-level keys are normalized ("num-layers" becomes "num_layers"); nested
 * blocks such as `optimizer` keep DeepSpeed's spelling, as in GPT-NeoX.
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';

import { ConfigError } from '../errors';
import { parseConfigText } from './neox-yaml';

export interface ConfigFileContent {
  /** The path as the caller gave it (what messages show). */
  path: string;
  /** Top-level keys in underscore form, in file order; a key given twice keeps its later value. */
  values: Map<string, unknown>;
}

/** Top-level key in underscore form. */
export function normalizeKey(key: string): string {
  return key.replace(/-/g, '_');
}

/** Like GPT-NeoX's launcher, "configs/125M" means "configs/125M.yml" when only the latter exists. */
function withDefaultExtension(path: string): string {
  if (existsSync(path) || extname(path) !== '') return path;
  return existsSync(`${path}.yml`) ? `${path}.yml` : path;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ConfigError(`config file '${path}' does not exist (resolved to ${resolve(path)}); check the path (relative paths start at the current directory)`);
    }
    if (code === 'EISDIR') throw new ConfigError(`config file '${path}' is a directory; name a .yml file inside it`);
    throw new ConfigError(`cannot read config file '${path}' (${code ?? String(error)}); check its permissions`, null, { cause: error });
  }
}

export function readConfigFile(path: string, onWarning: (message: string) => void): ConfigFileContent {
  const actualPath = withDefaultExtension(path);
  const entries = parseConfigText(readText(actualPath), actualPath, onWarning);
  const values = new Map<string, unknown>();
  const firstSeen = new Map<string, { key: string; line: number }>();
  for (const entry of entries) {
    const key = normalizeKey(entry.key);
    const earlier = firstSeen.get(key);
    if (earlier) {
      onWarning(`${key} is given twice in ${actualPath} ('${earlier.key}' on line ${earlier.line}, '${entry.key}' on line ${entry.line}); the later one wins`);
      values.delete(key); // keep file order = order of the winning entry
    }
    firstSeen.set(key, { key: entry.key, line: entry.line });
    values.set(key, entry.value);
  }
  return { path: actualPath, values };
}
