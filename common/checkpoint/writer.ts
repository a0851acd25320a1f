/**
 * Writing checkpoints in two phases (ARCHITECTURE.md, "Checkpoints"):
 *   1. every rank writes the boxes it holds into its own safetensors file inside a temporary
 *      directory and reports the file's size and SHA-256 (writeShard);
 *   2. once every rank has reported, one committer writes the manifest, renames the directory
 *      into place, replaces `latest` atomically and applies retention (commitCheckpoint).
 * A crash at any moment leaves the previous checkpoint and `latest` intact: the temporary
 * directory is ignored by readers and removed by the next save.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { FileError } from '../errors';
import type { DType, TensorData } from './dtypes';
import { fsyncPath, replaceFileAtomically } from './fs-atomic';
import {
  checkpointTag, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, CheckpointManifest, FileRecord, MANIFEST_FILE, stepOfTag,
  TensorRecord, Topology,
} from './manifest';
import { writeSafetensors } from './safetensors';

export const LATEST_FILE = 'latest';
const TEMPORARY_PREFIX = '.tmp-';

/** One box a rank holds: a slice [start, start+shape) of global tensor `name`. */
export interface ShardBox {
  name: string;
  dtype: DType;
  globalShape: number[];
  start: number[];
  shape: number[];
  data: TensorData;
}

/** What a rank reports after writing its shard. */
export interface ShardReport {
  file: string;
  record: FileRecord;
  boxes: { name: string; dtype: DType; globalShape: number[]; key: string; start: number[]; shape: number[] }[];
}

/** Creates a fresh temporary directory for the checkpoint of `step` inside `saveDir`. */
export function beginCheckpoint(saveDir: string, step: number): string {
  mkdirSync(saveDir, { recursive: true });
  removeStaleTemporaries(saveDir);
  const dir = join(saveDir, `${TEMPORARY_PREFIX}${checkpointTag(step)}-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir);
  return dir;
}

/** Phase 1: writes `boxes` to `<dir>/<fileName>` (fsynced) and describes them. */
export function writeShard(dir: string, fileName: string, boxes: ShardBox[]): ShardReport {
  const entries = boxes.map((box) => ({
    name: `${box.name}@${box.start.join(',')}`,
    dtype: box.dtype,
    shape: box.shape,
    data: box.data,
  }));
  const record = writeSafetensors(join(dir, fileName), entries, { format: CHECKPOINT_FORMAT });
  return {
    file: fileName,
    record,
    boxes: boxes.map((box, i) => ({
      name: box.name, dtype: box.dtype, globalShape: box.globalShape, key: entries[i]!.name, start: box.start, shape: box.shape,
    })),
  };
}

export interface CommitOptions {
  step: number;
  trainerState: Record<string, unknown>;
  config: Record<string, unknown>;
  topology: Topology;
  /** Other files already inside the temporary directory (e.g. tokenizer files), relative paths. */
  extraFiles?: Record<string, FileRecord>;
  /** Keep only the newest K committed checkpoints (null: keep all). */
  keepLast?: number | null;
}

/** Phase 2: manifest, rename into place, `latest`, retention. Returns the final directory. */
export function commitCheckpoint(saveDir: string, temporaryDir: string, reports: ShardReport[], options: CommitOptions): string {
  const tensors: Record<string, TensorRecord> = {};
  const files: Record<string, FileRecord> = { ...(options.extraFiles ?? {}) };
  for (const report of reports) {
    files[report.file] = report.record;
    for (const box of report.boxes) {
      const tensor = (tensors[box.name] ??= { dtype: box.dtype, shape: box.globalShape, boxes: [] });
      if (tensor.dtype !== box.dtype || tensor.shape.join() !== box.globalShape.join()) {
        throw new FileError(temporaryDir, `ranks disagree about tensor ${box.name}: ${tensor.dtype}[${tensor.shape}] vs ${box.dtype}[${box.globalShape}]`);
      }
      tensor.boxes.push({ file: report.file, key: box.key, start: box.start, shape: box.shape });
    }
  }
  checkCoverage(tensors, temporaryDir);
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    step: options.step,
    created_unix_ms: Date.now(),
    tensors,
    files,
    trainer_state: options.trainerState,
    config: options.config,
    topology: options.topology,
  };
  replaceFileAtomically(join(temporaryDir, MANIFEST_FILE), JSON.stringify(manifest, null, 1));
  fsyncPath(temporaryDir);

  const tag = checkpointTag(options.step);
  const finalDir = join(saveDir, tag);
  if (existsSync(finalDir)) {
    // Re-saving a step (e.g. after a restart): move the old one aside first, delete it after.
    const aside = `${finalDir}${TEMPORARY_PREFIX}replaced-${randomBytes(4).toString('hex')}`;
    renameSync(finalDir, aside);
    renameSync(temporaryDir, finalDir);
    rmSync(aside, { recursive: true, force: true });
  } else {
    renameSync(temporaryDir, finalDir);
  }
  fsyncPath(saveDir);
  replaceFileAtomically(join(saveDir, LATEST_FILE), tag);
  if (options.keepLast != null) applyRetention(saveDir, options.keepLast, options.step);
  return finalDir;
}

/** Every element of every tensor must be stored exactly once (counted by volume). */
function checkCoverage(tensors: Record<string, TensorRecord>, dir: string): void {
  for (const [name, tensor] of Object.entries(tensors)) {
    const want = tensor.shape.reduce((a, b) => a * b, 1);
    const have = tensor.boxes.reduce((sum, box) => sum + box.shape.reduce((a, b) => a * b, 1), 0);
    if (want !== have) {
      throw new FileError(dir, `tensor ${name} [${tensor.shape}] has ${want} elements but the ranks stored ${have}`);
    }
  }
}

/** Committed checkpoint steps in `saveDir`, ascending. */
export function listCheckpointSteps(saveDir: string): number[] {
  if (!existsSync(saveDir)) return [];
  return readdirSync(saveDir)
    .map((name) => ({ name, step: stepOfTag(name) }))
    .filter((entry) => entry.step !== null && existsSync(join(saveDir, entry.name, MANIFEST_FILE)))
    .map((entry) => entry.step as number)
    .sort((a, b) => a - b);
}

/** Deletes the oldest committed checkpoints beyond `keep`, never the one just committed. */
export function applyRetention(saveDir: string, keep: number, justCommitted: number): void {
  const steps = listCheckpointSteps(saveDir).filter((s) => s !== justCommitted);
  const excess = steps.length + 1 - Math.max(1, keep);
  for (const step of steps.slice(0, Math.max(0, excess))) {
    rmSync(join(saveDir, checkpointTag(step)), { recursive: true, force: true });
  }
}

/** Removes temporary directories left by saves that crashed (never read by loaders). */
function removeStaleTemporaries(saveDir: string): void {
  for (const name of readdirSync(saveDir)) {
    if (name.startsWith(TEMPORARY_PREFIX) || name.includes(`${TEMPORARY_PREFIX}replaced-`)) {
      rmSync(join(saveDir, name), { recursive: true, force: true });
    }
  }
}
