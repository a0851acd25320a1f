/**
 * A fixed set of tokenizer worker threads. `encode` sends a batch to the worker with the fewest
 * batches pending and resolves with its result; callers await results in submission order to
 * keep the output in input order, and bound how many are in flight for back-pressure.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import type { EncodedBatch, EncodeSettings } from './encode-batch';
import type { TokenizerSource } from './tokenizer-source';
import type { InitMessage, ReadyMessage, WorkerReply } from './worker-protocol';

interface Pending {
  id: number;
  resolve: (result: EncodedBatch) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Pending[];
}

export class WorkerPool {
  private nextId = 0;
  private closed = false;

  private constructor(private readonly slots: Slot[], readonly info: ReadyMessage) {}

  /** Starts `count` workers and waits until each has loaded its tokenizer. */
  static async start(count: number, tokenizer: TokenizerSource): Promise<WorkerPool> {
    const script = join(__dirname, 'tokenize-worker.js');
    const slots: Slot[] = [];
    const ready: Array<Promise<ReadyMessage>> = [];
    for (let i = 0; i < count; i++) {
      const worker = new Worker(script, { workerData: { tokenizer } satisfies InitMessage });
      const slot: Slot = { worker, pending: [] };
      slots.push(slot);
      ready.push(new Promise<ReadyMessage>((resolve, reject) => {
        let started = false;
        worker.on('message', (reply: WorkerReply) => {
          if (reply.type === 'ready') {
            started = true;
            resolve(reply);
          } else if (reply.type === 'batch') {
            const pending = slot.pending.shift();
            if (pending?.id === reply.id) pending.resolve(reply.result);
            else pending?.reject(new Error(`internal: a worker answered batch ${reply.id} for ${pending.id}`));
          } else if (reply.id === null) {
            reject(new Error(`the tokenizer failed to load: ${reply.message}`));
          } else {
            slot.pending.shift()?.reject(new Error(reply.message));
          }
        });
        const fail = (error: Error) => {
          if (!started) reject(error);
          for (const p of slot.pending.splice(0)) p.reject(error);
        };
        worker.on('error', fail);
        worker.on('exit', (code) => fail(new Error(`a tokenizer worker exited (code ${code})`)));
      }));
    }
    try {
      const infos = await Promise.all(ready);
      return new WorkerPool(slots, infos[0]!);
    } catch (error) {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      throw error;
    }
  }

  get size(): number {
    return this.slots.length;
  }

  /** Encodes `bytes` (its buffer is transferred to the worker). */
  encode(bytes: Uint8Array, settings: EncodeSettings): Promise<EncodedBatch> {
    if (this.closed) return Promise.reject(new Error('the worker pool is closed'));
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.pending.length < slot.pending.length) slot = s;
    const id = this.nextId++;
    return new Promise<EncodedBatch>((resolve, reject) => {
      slot.pending.push({ id, resolve, reject });
      slot.worker.postMessage({ id, bytes, settings }, [bytes.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const slot of this.slots) slot.worker.removeAllListeners('exit');
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
