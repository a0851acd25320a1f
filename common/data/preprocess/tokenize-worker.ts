/** Worker thread: loads the tokenizer once, then encodes each batch it is sent, in order. */
import { parentPort, workerData } from 'node:worker_threads';

import type { Tokenizer } from '../../tokenizer/tokenizer';
import { encodeBatch } from './encode-batch';
import { loadTokenizer } from './tokenizer-source';
import type { BatchMessage, InitMessage, WorkerReply } from './worker-protocol';

const port = parentPort!;
const post = (reply: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function main(): Promise<void> {
  let tokenizer: Tokenizer;
  try {
    tokenizer = await loadTokenizer((workerData as InitMessage).tokenizer);
  } catch (error) {
    post({ type: 'error', id: null, message: message(error) });
    return;
  }
  post({ type: 'ready', tokenizerType: tokenizer.type, vocabSize: tokenizer.vocabSize, eod: tokenizer.eod });
  port.on('message', (batch: BatchMessage) => {
    try {
      const result = encodeBatch(batch.bytes, batch.settings, tokenizer);
      post({ type: 'batch', id: batch.id, result }, result.keys.flatMap((k) => [k.tokens.buffer as ArrayBuffer, k.sizes.buffer as ArrayBuffer]));
    } catch (error) {
      post({ type: 'error', id: batch.id, message: message(error) });
    }
  });
}

void main();
