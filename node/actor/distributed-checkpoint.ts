/**
 * Checkpoints of a multi-process run (common/checkpoint format), saved and loaded by every rank
 * together. Saving: rank 0 opens the temporary directory and tells the others its name through
 * a file beside it; every rank writes the boxes it is responsible for into rank_<r>.safetensors
 * and a small report; after a barrier rank 0 commits the manifest (atomic, as commitCheckpoint
 * does) and a last barrier lets every rank return the committed directory.
 *
 * Who writes what: tensors replicated over data-parallel ranks are written once, tensor k by dp
 * rank k mod dp, which spreads the writing over the replicas; under tensor parallelism each tp
 * rank writes the boxes of its shard (Engine.tensorInfo boxes), and tensors every tp rank holds
 * whole are written by tp rank 0; each pipeline stage writes its own blocks, and tied word
 * embeddings are written by the first stage (the last stage's copy is equal and skipped). Under ZeRO 1/2 each rank holds
 * only its pieces of the AdamW moments, which are flat ranges rather than boxes, so every moment
 * is first gathered whole (Engine.getTensor is a dp collective then: every rank reads every
 * moment, in order) and then written by its one writer.
 *
 * Loading reads, for every tensor this engine has, the box it holds from whatever boxes were
 * stored (Checkpoint.readBox), so a checkpoint saved at one layout loads at any other; under
 * ZeRO each rank keeps its own pieces of the moments it is given whole.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import {
  beginCheckpoint, Checkpoint, checkpointTag, commitCheckpoint, ShardBox, ShardReport, Topology, writeShard,
} from '../../common/checkpoint';
import { FileError } from '../../common/errors';
import type { Engine, EngineTensor } from '../../native/ts/native';
import { copyTokenizerFiles } from './engine-checkpoint';

export interface DistributedSaveOptions {
  saveDir: string;
  engine: Engine;
  step: number;
  /** Must hold optimizer_step (AdamW updates applied) for loadDistributedCheckpoint. */
  trainerState: Record<string, unknown> & { optimizer_step: number };
  config: Record<string, unknown>;
  keepLast: number | null;
  /** Tokenizer files copied into the checkpoint by rank 0 (engine-checkpoint.ts copyTokenizerFiles). */
  tokenizerFiles?: string[];
}

const REPORT_SUFFIX = '.report.json';

function rankFile(rank: number): string {
  return `rank_${String(rank).padStart(5, '0')}.safetensors`;
}

/** Where rank 0 leaves the temporary directory's name for the others (ignored by readers, removed by the next save). */
function pendingNameFile(saveDir: string, step: number): string {
  return join(saveDir, `.tmp-pending-${checkpointTag(step)}`);
}

export function topologyOf(engine: Engine): Topology {
  const p = engine.parallel;
  return {
    world_size: p.worldSize, data_parallel_size: p.dataParallelSize, model_parallel_size: p.modelParallelSize,
    pipe_parallel_size: p.pipelineStages, zero_stage: p.zeroStage,
  };
}

function volume(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The boxes this rank writes (reading every moment first when ZeRO shards them). */
function boxesToWrite(engine: Engine): ShardBox[] {
  const p = engine.parallel;
  const momentsSharded = p.zeroStage > 0 && p.dataParallelSize > 1;
  const boxes: ShardBox[] = [];
  engine.tensorInfo().forEach((info: EngineTensor, k: number) => {
    // Written by one data-parallel replica, and by tensor-parallel rank 0 alone when replicated there.
    const mine = k % p.dataParallelSize === p.dpRank && (!info.tpReplicated || p.tpRank === 0) && !info.pipeTiedCopy;
    const collective = momentsSharded && info.kind !== 'parameter';
    if (!mine && !collective) return;
    const data = engine.getTensor(info.name);
    if (!mine) return;
    let offset = 0;
    for (const box of info.boxes) {
      const size = volume(box.shape);
      boxes.push({ name: info.name, dtype: info.dtype, globalShape: info.globalShape, start: box.start, shape: box.shape, data: data.subarray(offset, offset + size) });
      offset += size;
    }
  });
  return boxes;
}

/** Saves the run's state at `step`; every rank calls it. Resolves with the committed directory. */
export async function saveDistributedCheckpoint(options: DistributedSaveOptions): Promise<string> {
  const { engine, saveDir, step } = options;
  const { rank, worldSize } = engine.parallel;
  if (rank === 0) {
    const dir = beginCheckpoint(saveDir, step);
    writeFileSync(pendingNameFile(saveDir, step), basename(dir));
  }
  await engine.barrier();
  const dir = join(saveDir, readFileSync(pendingNameFile(saveDir, step), 'utf8'));
  const boxes = boxesToWrite(engine);
  const report = writeShard(dir, rankFile(rank), boxes);
  writeFileSync(join(dir, `${rankFile(rank)}${REPORT_SUFFIX}`), JSON.stringify(report));
  await engine.barrier();
  if (rank === 0) {
    const reports: ShardReport[] = [];
    for (let r = 0; r < worldSize; r++) {
      const path = join(dir, `${rankFile(r)}${REPORT_SUFFIX}`);
      reports.push(JSON.parse(readFileSync(path, 'utf8')) as ShardReport);
      rmSync(path);
    }
    rmSync(pendingNameFile(saveDir, step));
    commitCheckpoint(saveDir, dir, reports, {
      step, trainerState: options.trainerState, config: options.config, topology: topologyOf(engine), keepLast: options.keepLast,
      extraFiles: copyTokenizerFiles(dir, options.tokenizerFiles ?? []),
    });
  }
  await engine.barrier();
  return join(saveDir, checkpointTag(step));
}

export interface DistributedLoadOptions {
  /** A specific step instead of `latest`. */
  step: number | null;
  /** Skip the optimizer moments (GPT-NeoX no_load_optim); the optimizer step then starts at 0. */
  noLoadOptim: boolean;
}

/**
 * Loads a checkpoint saved at any layout into this rank's engine (every rank calls it). Returns
 * the stored trainer state and the directory.
 */
export function loadDistributedCheckpoint(loadDir: string, engine: Engine, options: DistributedLoadOptions): { trainerState: Record<string, unknown>; dir: string; step: number } {
  const checkpoint = Checkpoint.open(loadDir, { step: options.step });
  try {
    for (const info of engine.tensorInfo()) {
      if (info.kind !== 'parameter' && options.noLoadOptim) continue;
      const record = checkpoint.manifest.tensors[info.name];
      if (!record) {
        throw new FileError(checkpoint.dir, `checkpoint ${checkpoint.dir} has no tensor ${info.name}, which this model needs; was it saved from a different architecture?`);
      }
      if (record.shape.join() !== info.globalShape.join()) {
        throw new FileError(checkpoint.dir, `tensor ${info.name} has shape [${record.shape}] in checkpoint ${checkpoint.dir} but [${info.globalShape}] in this model; the configs do not match`);
      }
      const data = new Float32Array(volume(info.shape));
      let offset = 0;
      for (const box of info.boxes) {
        data.set(checkpoint.readBox(info.name, box) as Float32Array, offset);
        offset += volume(box.shape);
      }
      engine.setTensor(info.name, data);
    }
    const state = checkpoint.manifest.trainer_state;
    const optimizerStep = state.optimizer_step;
    if (typeof optimizerStep !== 'number' || !Number.isInteger(optimizerStep) || optimizerStep < 0) {
      throw new FileError(checkpoint.dir, `checkpoint ${checkpoint.dir} has trainer_state.optimizer_step ${JSON.stringify(optimizerStep)}; expected the number of AdamW updates applied (an integer >= 0)`);
    }
    engine.setOptimizerStep(options.noLoadOptim ? 0 : optimizerStep);
    return { trainerState: state, dir: checkpoint.dir, step: checkpoint.step };
  } finally {
    checkpoint.close();
  }
}
