/**
 * Saving and loading one engine's tensors as a checkpoint (common/checkpoint). A single process
 * holds every tensor whole, so each becomes one box covering it; ranks of a parallel run will
 * store the boxes they hold under the same global names, so either loads the other.
 */
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

import {
  beginCheckpoint, Checkpoint, commitCheckpoint, FileRecord, sha256File, ShardBox, Topology, writeShard,
} from '../../common/checkpoint';
import { FileError } from '../../common/errors';
import type { TrainingEngine } from './engine';
import { initialTrainerState, parseTrainerState, TrainerState } from './trainer-state';

export const TOKENIZER_DIR = 'tokenizer';

export interface SaveOptions {
  saveDir: string;
  engine: TrainingEngine;
  state: TrainerState;
  config: Record<string, unknown>;
  topology: Topology;
  keepLast: number | null;
  /** Tokenizer files (vocab, merges) copied into the checkpoint so it travels with it. */
  tokenizerFiles: string[];
  /**
   * Descriptive fields stored beside the trainer state (learning rate, RNG, loss scale) for people
   * and tools; resuming reads only the TrainerState fields.
   */
  details?: Record<string, unknown>;
}

export function saveEngineCheckpoint(options: SaveOptions): string {
  const { engine, state } = options;
  const dir = beginCheckpoint(options.saveDir, state.iteration);
  const boxes: ShardBox[] = engine.tensorInfo().map((info) => ({
    name: info.name, dtype: info.dtype, globalShape: info.shape, start: info.shape.map(() => 0), shape: info.shape,
    data: engine.getTensor(info.name),
  }));
  const report = writeShard(dir, 'rank_00000.safetensors', boxes);
  return commitCheckpoint(options.saveDir, dir, [report], {
    step: state.iteration,
    trainerState: { ...options.details, ...state },
    config: options.config,
    topology: options.topology,
    extraFiles: copyTokenizerFiles(dir, options.tokenizerFiles),
    keepLast: options.keepLast,
  });
}

/** Copies tokenizer files into `dir`/tokenizer/ of a checkpoint being written; returns their manifest records. */
export function copyTokenizerFiles(dir: string, files: string[]): Record<string, FileRecord> {
  const records: Record<string, FileRecord> = {};
  if (files.length === 0) return records;
  mkdirSync(join(dir, TOKENIZER_DIR), { recursive: true });
  for (const file of files) {
    const relative = `${TOKENIZER_DIR}/${basename(file)}`;
    copyFileSync(file, join(dir, relative));
    records[relative] = { bytes: statSync(join(dir, relative)).size, sha256: sha256File(join(dir, relative)) };
  }
  return records;
}

export interface LoadOptions {
  /** Weights only; the trainer state starts fresh (GPT-NeoX `finetune`). */
  finetune: boolean;
  /** Skip optimizer moments (GPT-NeoX `no_load_optim`). */
  noLoadOptim: boolean;
  /** A specific step instead of `latest`. */
  step: number | null;
  seed: number;
}

/**
 * Loads `loadDir` into `engine`. Every engine tensor must exist with the same shape; the first
 * mismatch is named with both shapes. Returns the trainer state to continue from.
 */
export function loadEngineCheckpoint(loadDir: string, engine: TrainingEngine, options: LoadOptions): { state: TrainerState; dir: string } {
  const checkpoint = Checkpoint.open(loadDir, { step: options.step });
  try {
    for (const info of engine.tensorInfo()) {
      const isMoment = info.kind !== 'parameter';
      if (isMoment && (options.finetune || options.noLoadOptim)) continue;
      const record = checkpoint.manifest.tensors[info.name];
      if (!record) {
        throw new FileError(checkpoint.dir, `checkpoint ${checkpoint.dir} has no tensor ${info.name}, which this model needs; was it saved from a different architecture?`);
      }
      if (record.shape.join() !== info.shape.join()) {
        throw new FileError(checkpoint.dir, `tensor ${info.name} has shape [${record.shape}] in checkpoint ${checkpoint.dir} but [${info.shape}] in this model; the configs do not match`);
      }
      engine.setTensor(info.name, checkpoint.readTensor(info.name) as Float32Array);
    }
    if (options.finetune) return { state: initialTrainerState(options.seed), dir: checkpoint.dir };
    const state = parseTrainerState(checkpoint.manifest.trainer_state, join(checkpoint.dir, 'manifest.json'));
    engine.setOptimizerStep(options.noLoadOptim ? 0 : state.optimizer_step);
    return { state, dir: checkpoint.dir };
  } finally {
    checkpoint.close();
  }
}

/** Tokenizer files stored in a checkpoint directory, if any. */
export function checkpointTokenizerDir(dir: string): string | null {
  const path = join(dir, TOKENIZER_DIR);
  return existsSync(path) ? path : null;
}
