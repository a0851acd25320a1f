/**
 * The LanguageModel `neox serve` runs: a checkpoint on the native engine, or (for tests) the
 * TypeScript reference model. The native engine cannot generate yet, so a checkpoint is refused
 * with a message saying so; README.md lists what the engine must provide.
 */
import { existsSync, statSync } from 'node:fs';

import { FileError, NeoxError, UsageError } from '../../common/errors';
import { createTokenizer } from '../../common/tokenizer';
import type { LanguageModel } from './language-model';
import { ReferenceModel } from './reference/reference-model';

/** Thrown when the installation cannot serve what was asked (today: any checkpoint). */
export class ServeUnsupportedError extends NeoxError {
  constructor(message: string) {
    super('SERVE_UNSUPPORTED', message);
  }
}

export interface ModelSource {
  checkpoint: string | null;
  /** Serve the reference model (a test fixture) with this tokenizer.json instead. */
  referenceTokenizer: string | null;
}

export function loadServeModel(source: ModelSource): LanguageModel {
  if (source.referenceTokenizer !== null) {
    const tokenizer = createTokenizer({ tokenizer_type: 'HFTokenizer', vocab_file: source.referenceTokenizer, merge_file: null });
    return new ReferenceModel({ tokenizer });
  }
  const dir = source.checkpoint;
  if (dir === null) throw new UsageError('neox serve needs --checkpoint DIR (a neox checkpoint directory)');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new FileError(dir, `checkpoint directory ${dir} does not exist; pass the directory neox train wrote (or its "latest")`);
  throw new ServeUnsupportedError(
    `cannot serve ${dir}: the native engine does not support generation yet (neox serve needs batched prefill and decode steps returning log-softmax rows, see client/serve/README.md)`,
  );
}
