/**
 * The LanguageModel `neox serve` runs: a checkpoint on the native engine (EngineLanguageModel on
 * its KV cache), or, for tests, the TypeScript reference model.
 */
import { UsageError } from '../../common/errors';
import { createTokenizer } from '../../common/tokenizer';
import { loadCheckpointEngine } from '../checkpoint/checkpoint-model';
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

async function loadCheckpoint(path: string): Promise<LoadedModel> {
  const { engine, config, tokenizer, context } = await loadCheckpointEngine(path);
  const model = new EngineLanguageModel(engine, { tokenizer, vocabSize: config.padded_vocab_size!, maxContext: context });
  return { model, close: () => engine.close() };
}
