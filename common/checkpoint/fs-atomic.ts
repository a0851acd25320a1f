/** Durable file-system steps: fsync a file or directory, replace a file atomically. */
import { closeSync, fsyncSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `content` to `path` so that readers see either the old or the new file, never a mix. */
export function replaceFileAtomically(path: string, content: string | Uint8Array): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, content);
  fsyncPath(temporary);
  renameSync(temporary, path);
  fsyncPath(dirname(path));
}
