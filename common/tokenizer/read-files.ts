/** Reading the files a tokenizer names, with one-line errors that say which file and what to do. */
import { readFileSync, statSync } from 'node:fs';

import { FileError } from '../errors';

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(error)})`;
    throw new FileError(path, `${what} ${path} ${reason}; point it at the ${what} file`, { cause: error });
  }
}

export function readJson(path: string, what: string): unknown {
  const text = readText(path, what);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FileError(path, `${what} ${path} is not valid JSON (${(error as Error).message}); regenerate or re-download it`, { cause: error });
  }
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
