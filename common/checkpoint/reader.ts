/**
 * Reading checkpoints at any layout: resolve the directory (`latest` or a given step), check the
 * manifest and the files' checksums, then assemble any box of any tensor from the stored boxes.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { FileError } from '../errors';
import { Box, copyRegion, flatIndexIn, intersectBoxes } from './boxes';
import { DTYPE_BYTES, elementCount, TensorData, viewAs } from './dtypes';
import { checkpointTag, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, CheckpointManifest, MANIFEST_FILE, TensorRecord } from './manifest';
import { SafetensorsFile } from './safetensors';
import { LATEST_FILE, listCheckpointSteps } from './writer';

/**
 * The checkpoint directory to load from `loadDir`: a directory that itself holds a manifest, or
 * `<loadDir>/global_step<step>`, or the tag named by `<loadDir>/latest`.
 */
export function resolveCheckpointDir(loadDir: string, step: number | null = null): string {
  if (existsSync(join(loadDir, MANIFEST_FILE))) return loadDir;
  if (!existsSync(loadDir)) throw new FileError(loadDir, `checkpoint directory ${loadDir} does not exist`);
  if (step !== null) {
    const dir = join(loadDir, checkpointTag(step));
    if (!existsSync(join(dir, MANIFEST_FILE))) {
      const steps = listCheckpointSteps(loadDir);
      throw new FileError(loadDir, `no checkpoint for step ${step} in ${loadDir}; available steps: ${steps.length ? steps.join(', ') : 'none'}`);
    }
    return dir;
  }
  const latestPath = join(loadDir, LATEST_FILE);
  if (!existsSync(latestPath)) {
    throw new FileError(loadDir, `${loadDir} has no "latest" file and no manifest.json: it holds no committed checkpoint`);
  }
  const tag = readFileSync(latestPath, 'utf8').trim();
  const dir = join(loadDir, tag);
  if (!existsSync(join(dir, MANIFEST_FILE))) {
    throw new FileError(loadDir, `${latestPath} names ${tag}, but ${dir}/${MANIFEST_FILE} does not exist`);
  }
  return dir;
}

export function readManifest(dir: string): CheckpointManifest {
  const path = join(dir, MANIFEST_FILE);
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as CheckpointManifest;
  } catch (error) {
    throw new FileError(path, `cannot read checkpoint manifest ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (manifest.format !== CHECKPOINT_FORMAT || manifest.version !== CHECKPOINT_VERSION) {
    throw new FileError(path, `${path} is not a neox checkpoint manifest of version ${CHECKPOINT_VERSION} (format ${String(manifest.format)}, version ${String(manifest.version)})`);
  }
  return manifest;
}

export function sha256File(path: string): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(8 * 1024 * 1024);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      hash.update(chunk.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** An opened checkpoint. Call verify() before trusting it; close() releases file handles. */
export class Checkpoint {
  readonly manifest: CheckpointManifest;
  private readonly files = new Map<string, SafetensorsFile>();

  constructor(readonly dir: string) {
    this.manifest = readManifest(dir);
  }

  static open(loadDir: string, options: { step?: number | null; verify?: boolean } = {}): Checkpoint {
    const checkpoint = new Checkpoint(resolveCheckpointDir(loadDir, options.step ?? null));
    if (options.verify !== false) checkpoint.verify();
    return checkpoint;
  }

  get step(): number {
    return this.manifest.step;
  }

  tensorNames(): string[] {
    return Object.keys(this.manifest.tensors);
  }

  tensor(name: string): TensorRecord {
    const record = this.manifest.tensors[name];
    if (!record) throw new FileError(this.dir, `checkpoint ${this.dir} has no tensor named ${name}`);
    return record;
  }

  /** Checks every listed file's size and SHA-256; throws naming the first bad file. */
  verify(): void {
    for (const [file, record] of Object.entries(this.manifest.files)) {
      const path = join(this.dir, file);
      if (!existsSync(path)) throw new FileError(path, `checkpoint file ${path} is missing`);
      const size = statSync(path).size;
      if (size !== record.bytes) {
        throw new FileError(path, `checkpoint file ${path} has ${size} bytes but the manifest says ${record.bytes}: it is corrupted or truncated`);
      }
      if (sha256File(path) !== record.sha256) {
        throw new FileError(path, `checkpoint file ${path} fails its SHA-256 check: it is corrupted`);
      }
    }
  }

  /** The whole global tensor. */
  readTensor(name: string): TensorData {
    const record = this.tensor(name);
    return this.readBox(name, { start: record.shape.map(() => 0), shape: record.shape });
  }

  /** Any box of a global tensor, assembled from the stored boxes that overlap it. */
  readBox(name: string, want: Box): TensorData {
    const record = this.tensor(name);
    checkBoxInside(name, record, want, this.dir);
    const size = DTYPE_BYTES[record.dtype];
    const target = viewAs(record.dtype, new Uint8Array(elementCount(want.shape) * size));
    let covered = 0;
    for (const stored of record.boxes) {
      const region = intersectBoxes(stored, want);
      if (!region) continue;
      // Read only the flat range of the stored box that spans the region.
      const first = flatIndexIn(stored, region.start);
      const last = flatIndexIn(stored, region.start.map((s, d) => s + region.shape[d]! - 1));
      const source = this.file(stored.file).read(stored.key, first, last - first + 1);
      copyRegion(source, stored, first, target, want, region);
      covered += elementCount(region.shape);
    }
    if (covered !== elementCount(want.shape)) {
      throw new FileError(this.dir, `checkpoint ${this.dir} stores only ${covered} of the ${elementCount(want.shape)} elements of ${name} requested`);
    }
    return target;
  }

  close(): void {
    for (const file of this.files.values()) file.close();
    this.files.clear();
  }

  private file(relative: string): SafetensorsFile {
    let file = this.files.get(relative);
    if (!file) {
      file = new SafetensorsFile(join(this.dir, relative));
      this.files.set(relative, file);
    }
    return file;
  }
}

function checkBoxInside(name: string, record: TensorRecord, box: Box, dir: string): void {
  const ok = box.shape.length === record.shape.length &&
    box.shape.every((n, d) => box.start[d]! >= 0 && box.start[d]! + n <= record.shape[d]!);
  if (!ok) {
    throw new FileError(dir, `requested box start [${box.start}] shape [${box.shape}] is outside tensor ${name} of shape [${record.shape}]`);
  }
}
