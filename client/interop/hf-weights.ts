/**
 * The weights of a Hugging Face model directory: `model.safetensors`, or shards listed by
 * `model.safetensors.index.json` ({"weight_map": {tensor: shard file}}). Tensors are read on
 * demand and widened to float32.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { SafetensorsFile } from '../../common/checkpoint';
import { FileError } from '../../common/errors';
import { widenToFloat32 } from './widen-floats';

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

export class HfWeights {
  private readonly files = new Map<string, SafetensorsFile>();
  /** Tensor name → the file that holds it. */
  private readonly owner = new Map<string, SafetensorsFile>();

  private constructor(readonly dir: string) {}

  static open(dir: string): HfWeights {
    const weights = new HfWeights(dir);
    try {
      if (existsSync(join(dir, INDEX_FILE))) weights.openShards();
      else if (existsSync(join(dir, SINGLE_FILE))) weights.add(SINGLE_FILE, null);
      else {
        const present = existsSync(dir) ? readdirSync(dir).sort().join(', ') || 'nothing' : 'nothing (it does not exist)';
        const hint = /pytorch_model.*\.bin/.test(present) ? '; it has PyTorch .bin weights: re-save them as safetensors (save_pretrained(..., safe_serialization=True))' : '';
        throw new FileError(dir, `${dir} has neither ${SINGLE_FILE} nor ${INDEX_FILE} (it holds ${present})${hint}`);
      }
    } catch (error) {
      weights.close();
      throw error;
    }
    return weights;
  }

  private openShards(): void {
    const indexPath = join(this.dir, INDEX_FILE);
    let map: unknown;
    try {
      map = (JSON.parse(readFileSync(indexPath, 'utf8')) as { weight_map?: unknown }).weight_map;
    } catch (error) {
      throw new FileError(indexPath, `cannot read ${indexPath}: ${(error as Error).message}`, { cause: error });
    }
    if (typeof map !== 'object' || map === null) throw new FileError(indexPath, `${indexPath} has no "weight_map" object`);
    for (const [name, file] of Object.entries(map as Record<string, unknown>)) {
      if (typeof file !== 'string' || file.includes('/') || file.includes('\\')) {
        throw new FileError(indexPath, `${indexPath} maps ${name} to ${JSON.stringify(file)}; expected a shard file name in the same directory`);
      }
      this.add(file, name);
    }
  }

  /** Opens `file` once; records `name` (or, for a single file, every tensor) as held by it. */
  private add(file: string, name: string | null): void {
    let opened = this.files.get(file);
    if (!opened) {
      const path = join(this.dir, file);
      if (!existsSync(path)) throw new FileError(path, `shard ${path} (listed in ${INDEX_FILE}) is missing`);
      opened = new SafetensorsFile(path);
      this.files.set(file, opened);
    }
    const names = name === null ? [...opened.tensors.keys()] : [name];
    for (const n of names) {
      if (!opened.tensors.has(n)) throw new FileError(opened.path, `${INDEX_FILE} says ${opened.path} holds ${n}, but it does not`);
      this.owner.set(n, opened);
    }
  }

  names(): string[] {
    return [...this.owner.keys()];
  }

  has(name: string): boolean {
    return this.owner.has(name);
  }

  shape(name: string): number[] {
    return this.info(name).shape;
  }

  /** The tensor as float32 (bf16, fp16 and f64 are converted). */
  read(name: string): Float32Array {
    const file = this.fileOf(name);
    return widenToFloat32(this.info(name).dtype, file.read(name), `tensor ${name} in ${file.path}`);
  }

  close(): void {
    for (const file of this.files.values()) file.close();
    this.files.clear();
  }

  private fileOf(name: string): SafetensorsFile {
    const file = this.owner.get(name);
    if (!file) throw new FileError(this.dir, `the weights in ${this.dir} have no tensor ${name}`);
    return file;
  }

  private info(name: string) {
    return this.fileOf(name).tensors.get(name)!;
  }
}
