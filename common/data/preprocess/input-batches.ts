/**
 * Reads jsonl inputs (plain, .gz or .zst) as a stream of batches of whole lines, about
 * `batchBytes` each, never spanning two files. Pulling the next batch is what reads more input,
 * so a consumer that stops pulling stops the reading (back-pressure).
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

import { Decompress } from 'fzstd';

import { FileError } from '../../errors';

export interface InputBatch {
  /** Index of the input file. */
  file: number;
  /** Whole lines, in a buffer of its own (safe to transfer). */
  bytes: Uint8Array;
}

async function* decompressed(path: string): AsyncGenerator<Uint8Array> {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  if (path.endsWith('.gz')) {
    yield* raw.pipe(createGunzip({ chunkSize: 1 << 20 })) as AsyncIterable<Buffer>;
    return;
  }
  if (path.endsWith('.zst') || path.endsWith('.zstd')) {
    const out: Uint8Array[] = [];
    const decoder = new Decompress((chunk) => {
      out.push(chunk);
    });
    for await (const chunk of raw as AsyncIterable<Buffer>) {
      decoder.push(chunk);
      yield* out.splice(0);
    }
    decoder.push(new Uint8Array(0), true);
    yield* out.splice(0);
    return;
  }
  yield* raw as AsyncIterable<Buffer>;
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export async function* readInputBatches(paths: readonly string[], batchBytes = 1 << 20): AsyncGenerator<InputBatch> {
  for (let file = 0; file < paths.length; file++) {
    try {
      yield* fileBatches(paths[file]!, file, batchBytes);
    } catch (error) {
      const path = paths[file]!;
      const what = path.endsWith('.gz') ? 'is not valid gzip' : /\.zstd?$/.test(path) ? 'is not valid zstd' : 'cannot be read';
      throw new FileError(path, `${path} ${what} (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
  }
}

async function* fileBatches(path: string, file: number, batchBytes: number): AsyncGenerator<InputBatch> {
  let chunks: Uint8Array[] = [];
  let pending = 0;
  let first = true;
  for await (let chunk of decompressed(path)) {
    if (first && chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    first = first && chunk.length === 0;
    chunks.push(chunk);
    pending += chunk.length;
    // A chunk without a line end adds no place to cut.
    if (pending < batchBytes || chunk.indexOf(10) < 0) continue;
    const all = concat(chunks, pending);
    // Cut batches of at least batchBytes at line ends; a line longer than that waits for more input.
    let start = 0;
    for (let end = all.indexOf(10, batchBytes - 1); end >= 0; end = all.indexOf(10, start + batchBytes - 1)) {
      yield { file, bytes: all.slice(start, end + 1) };
      start = end + 1;
      if (all.length - start < batchBytes) break;
    }
    const rest = start === 0 ? all : all.subarray(start);
    chunks = rest.length > 0 ? [rest] : [];
    pending = rest.length;
  }
  if (pending > 0) yield { file, bytes: concat(chunks, pending) };
}
