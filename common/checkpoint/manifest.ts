/**
 * The checkpoint manifest (`manifest.json`): written last, by whoever commits the checkpoint
 * (the coordinator, or the single process of a local run). It lists every tensor under its global
 * name and shape with the boxes that hold it, every file with its size and SHA-256, and the
 * trainer state needed for an exact resume. A directory without a valid manifest is not a
 * checkpoint.
 */
import type { DType } from './dtypes';

export const MANIFEST_FILE = 'manifest.json';
export const CHECKPOINT_FORMAT = 'neox-checkpoint';
export const CHECKPOINT_VERSION = 1;

export interface StoredBox {
  /** File (relative to the checkpoint directory) and the key of the box inside it. */
  file: string;
  key: string;
  start: number[];
  shape: number[];
}

export interface TensorRecord {
  dtype: DType;
  shape: number[];
  boxes: StoredBox[];
}

export interface FileRecord {
  bytes: number;
  sha256: string;
}

export interface Topology {
  world_size: number;
  data_parallel_size: number;
  model_parallel_size: number;
  pipe_parallel_size: number;
  zero_stage: number;
}

export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  step: number;
  created_unix_ms: number;
  tensors: Record<string, TensorRecord>;
  files: Record<string, FileRecord>;
  /** Step, consumed samples, RNG states, scheduler, loss scale… (owned by the training loop). */
  trainer_state: Record<string, unknown>;
  /** The resolved configuration the checkpoint was trained with. */
  config: Record<string, unknown>;
  topology: Topology;
}

/** `global_step<N>`: GPT-NeoX's directory name for the checkpoint of step N. */
export function checkpointTag(step: number): string {
  return `global_step${step}`;
}

export function stepOfTag(tag: string): number | null {
  const match = /^global_step(\d+)$/.exec(tag);
  return match ? Number(match[1]) : null;
}
