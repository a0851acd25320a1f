/**
 * The LanguageModel `neox serve` runs: a checkpoint on the native engine (EngineLanguageModel on
 * its KV cache), or, for tests, the TypeScript reference model.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';

import { Checkpoint } from '../../common/checkpoint';
import type { NeoxConfig } from '../../common/config';
import { FileError, UsageError } from '../../common/errors';
import { createTokenizer, type Tokenizer } from '../../common/tokenizer';
import { createEngine, type Engine } from '../../native/ts/native';
import { checkpointTokenizerDir } from '../../node/actor/engine-checkpoint';
import { EngineLanguageModel } from './engine-model';
import type { LanguageModel } from './language-model';
import { ReferenceModel } from './reference/reference-model';

export interface ModelSource {
  /** A checkpoint directory: one with manifest.json, or a save directory with `latest`. */
  checkpoint: string | null;
  /** Serve the reference model (a test fixture) with this tokenizer.json instead. */
  referenceTokenizer: string | null;
}

export interface LoadedModel {
  model: LanguageModel;
  /** Frees what the model holds (the engine's memory). */
  close(): void;
}

export async function loadServeModel(source: ModelSource): Promise<LoadedModel> {
  if (source.referenceTokenizer !== null) {
    const tokenizer = createTokenizer({ tokenizer_type: 'HFTokenizer', vocab_file: source.referenceTokenizer, merge_file: null });
    return { model: new ReferenceModel({ tokenizer }), close: () => {} };
  }
  if (source.checkpoint === null) throw new UsageError('neox serve needs --checkpoint DIR (a neox checkpoint directory)');
  return loadCheckpoint(source.checkpoint);
}

async function loadCheckpoint(loadDir: string): Promise<LoadedModel> {
  const { engine, config, tokenizer } = await loadCheckpointEngine(loadDir);
  const model = new EngineLanguageModel(engine, { tokenizer, vocabSize: config.padded_vocab_size!, maxContext: contextOf(config) });
  return { model, close: () => engine.close() };
}

export interface CheckpointEngine {
  engine: Engine;
  config: NeoxConfig;
  tokenizer: Tokenizer;
}

/**
 * A checkpoint's model on a new native engine (its own config; weights only) with the tokenizer it
 * was trained with. Used by `neox serve` and `neox generate`. The caller closes the engine.
 */
export async function loadCheckpointEngine(loadDir: string, threads: number | null = null): Promise<CheckpointEngine> {
  const checkpoint = Checkpoint.open(loadDir);
  let engine: Engine | null = null;
  try {
    const config = checkpoint.manifest.config as unknown as NeoxConfig;
    const tokenizer = checkpointTokenizer(checkpoint.dir, config);
    engine = await createEngine(config, { threads, seed: null });
    for (const info of engine.tensorInfo()) {
      if (info.kind !== 'parameter') continue;
      if (checkpoint.manifest.tensors[info.name] === undefined) {
        throw new FileError(checkpoint.dir, `checkpoint ${checkpoint.dir} has no tensor ${info.name}, which its own config's model needs; the checkpoint is incomplete`);
      }
      engine.setTensor(info.name, checkpoint.readTensor(info.name) as Float32Array);
    }
    return { engine, config, tokenizer };
  } catch (error) {
    engine?.close();
    throw error;
  } finally {
    checkpoint.close();
  }
}

/** Positions the engine accepts (native/src/model: learned embeddings limit them; rotary does not beyond the config). */
export function contextOf(config: NeoxConfig): number {
  const c = config as unknown as { pos_emb: string; max_position_embeddings: number; seq_length: number; opt_pos_emb_offset: number | null };
  return c.pos_emb === 'learned' ? c.max_position_embeddings - (c.opt_pos_emb_offset ?? 0) : Math.max(c.seq_length, c.max_position_embeddings);
}

/** The tokenizer the checkpoint was trained with: its stored copy when there is one, else the config's paths. */
function checkpointTokenizer(dir: string, config: NeoxConfig): Tokenizer {
  const c = config as unknown as { tokenizer_type: string; vocab_file: string | null; merge_file: string | null };
  const stored = checkpointTokenizerDir(dir);
  const local = (file: string | null) => (file !== null && stored !== null && existsSync(join(stored, basename(file))) ? join(stored, basename(file)) : file);
  try {
    return createTokenizer({ tokenizer_type: c.tokenizer_type, vocab_file: local(c.vocab_file), merge_file: local(c.merge_file) });
  } catch (error) {
    throw new FileError(dir, `cannot load the tokenizer of checkpoint ${dir} (tokenizer_type ${c.tokenizer_type}, vocab_file ${c.vocab_file}): ${(error as Error).message}`, { cause: error });
  }
}
