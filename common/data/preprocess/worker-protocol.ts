/** Messages between the preprocessing coordinator (main thread) and its tokenizer workers. */
import type { EncodedBatch, EncodeSettings } from './encode-batch';
import type { TokenizerSource } from './tokenizer-source';

export interface InitMessage {
  tokenizer: TokenizerSource;
}

export interface ReadyMessage {
  type: 'ready';
  tokenizerType: string;
  vocabSize: number;
  eod: number;
}

export interface BatchMessage {
  id: number;
  /** Whole lines; the buffer is transferred. */
  bytes: Uint8Array;
  settings: EncodeSettings;
}

export type WorkerReply =
  | ReadyMessage
  | { type: 'batch'; id: number; result: EncodedBatch }
  | { type: 'error'; id: number | null; message: string };
