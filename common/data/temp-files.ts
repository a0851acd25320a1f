/**
 * Temporary files that become outputs atomically: each is written under a unique temporary name
 * next to its final path, fsynced and renamed into place at the end. Temporary files still alive
 * when the process exits (an error, Ctrl-C) are removed, so no half-written output is left behind
 * and files that already existed at the final paths are untouched until the rename.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

const live = new Set<string>();
let counter = 0;
let hooked = false;

function removeAllLive(): void {
  for (const path of live) rmSync(path, { force: true });
  live.clear();
}

/** A fresh temporary path beside `finalPath`, removed automatically if the process exits first. */
export function createTempPath(finalPath: string): string {
  if (!hooked) {
    hooked = true;
    process.on('exit', removeAllLive);
  }
  const path = `${finalPath}.tmp-${process.pid}-${++counter}`;
  live.add(path);
  return path;
}

/** Deletes a temporary file (if it exists) and forgets it. */
export function discardTemp(path: string): void {
  rmSync(path, { force: true });
  live.delete(path);
}

export function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Renames each fsynced temporary file onto its final path, in order, then fsyncs the directories.
 * Callers fsync the file contents first (fsyncFile or fsyncSync on their fd).
 */
export function commitTemps(moves: ReadonlyArray<{ temp: string; final: string }>): void {
  for (const { temp, final } of moves) {
    renameSync(temp, final);
    live.delete(temp);
  }
  for (const dir of new Set(moves.map((m) => dirname(m.final)))) fsyncFile(dir);
}
