/**
 * A checkpoint's model opened for inference in one process: `neox generate`, `neox serve` and
 * `neox eval` all start here. Checkpoints hold every tensor under its global name and shape
 * whatever layout trained them (ARCHITECTURE.md, "Checkpoints"), so any of them loads into one
 * engine with the config's parallel degrees set to 1.
 */
import { Checkpoint } from '../../common/checkpoint';
import { modelContext, singleProcessConfig, type NeoxConfig } from '../../common/config';
import { FileError } from '../../common/errors';
import { createTokenizer, type Tokenizer } from '../../common/tokenizer';
import { createEngine, type Engine } from '../../native/ts/native';
import { loadEngineCheckpoint } from '../../node/actor/engine-checkpoint';
import { checkpointTokenizerKeys } from '../interop/tokenizer-files';

export interface CheckpointModel {
  /** The checkpoint directory itself (`latest` or `--step` resolved). */
  dir: string;
  step: number;
  /** Its resolved config as one process (singleProcessConfig). */
  config: NeoxConfig;
  /** The tokenizer it was trained with: its stored copy when there is one, else the config's paths. */
  tokenizer: Tokenizer;
  /** Positions the model reads (modelContext). */
  context: number;
}

/** Reads the manifest and the tokenizer; no tensor is read and no engine is made yet. */
export function openCheckpointModel(path: string, step: number | null = null): CheckpointModel {
  const checkpoint = Checkpoint.open(path, { step, verify: false });
  const { dir } = checkpoint;
  checkpoint.close();
  const config = singleProcessConfig(checkpoint.manifest.config as unknown as NeoxConfig);
  const keys = checkpointTokenizerKeys(dir, config as unknown as Record<string, unknown>);
  let tokenizer: Tokenizer;
  try {
    tokenizer = createTokenizer(keys);
  } catch (error) {
    throw new FileError(dir, `cannot load the tokenizer of checkpoint ${dir} (tokenizer_type ${keys.tokenizer_type}, vocab_file ${keys.vocab_file}): ${(error as Error).message}`, { cause: error });
  }
  return { dir, step: checkpoint.step, config, tokenizer, context: modelContext(config) };
}

/** A new native engine holding the checkpoint's weights (checksums verified; no optimizer state). The caller closes it. */
export async function loadModelEngine(model: CheckpointModel, threads: number | null = null): Promise<Engine> {
  const engine = await createEngine(model.config, { threads, seed: null });
  try {
    loadEngineCheckpoint(model.dir, engine, { finetune: true, noLoadOptim: true, step: null, seed: model.config.seed });
    return engine;
  } catch (error) {
    engine.close();
    throw error;
  }
}

/** openCheckpointModel then loadModelEngine. */
export async function loadCheckpointEngine(path: string, options: { threads?: number | null; step?: number | null } = {}): Promise<CheckpointModel & { engine: Engine }> {
  const model = openCheckpointModel(path, options.step ?? null);
  return { ...model, engine: await loadModelEngine(model, options.threads ?? null) };
}
