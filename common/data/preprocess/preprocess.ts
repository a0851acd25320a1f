/**
 * `neox preprocess` as a library call: jsonl inputs → tokenizer workers → one Megatron indexed
 * dataset per jsonl key (`{outputPrefix}_{key}_document.bin/.idx`), byte-compatible with
 * GPT-NeoX's tools/datasets/preprocess_data.py. Documents keep input order; memory is bounded by
 * the batches in flight; outputs appear only when complete (see IndexedDatasetWriter).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import { FileError, NeoxError, UsageError } from '../../errors';
import { dtypeForVocab, TokenDType } from '../dtypes';
import { IndexedDatasetWriter } from '../indexed-dataset-writer';
import type { EncodedBatch, EncodeSettings } from './encode-batch';
import { readInputBatches } from './input-batches';
import type { TokenizerSource } from './tokenizer-source';
import { WorkerPool } from './worker-pool';

export interface PreprocessOptions {
  inputs: readonly string[];
  /** jsonl keys to extract; one dataset each (GPT-NeoX default ["text"]). */
  keys: readonly string[];
  outputPrefix: string;
  tokenizer: TokenizerSource;
  appendEod: boolean;
  /** Tokenizer worker threads (≥ 1). */
  workers: number;
  /** Skip and count invalid lines instead of stopping at the first. */
  skipInvalid: boolean;
  /** Approximate bytes of text per batch sent to a worker (default 1 MiB). */
  batchBytes?: number;
  /** Aborting stops the run; nothing is written and existing outputs stay. */
  signal?: AbortSignal;
  /** Called about every `progressIntervalMs` (default 1000) with running totals. */
  onProgress?: (progress: PreprocessProgress) => void;
  progressIntervalMs?: number;
}

export interface PreprocessProgress {
  documents: number;
  tokens: number;
  /** Uncompressed input bytes consumed. */
  bytes: number;
  seconds: number;
}

export interface KeyOutput {
  key: string;
  prefix: string;
  documents: number;
  tokens: number;
  emptyDropped: number;
  binBytes: number;
  idxBytes: number;
}

export interface PreprocessSummary extends PreprocessProgress {
  outputs: KeyOutput[];
  dtype: TokenDType;
  tokenizerType: string;
  vocabSize: number;
  lines: number;
  blankLines: number;
  invalidSkipped: number;
  /** Up to 10 skipped lines as "file:line: reason". */
  invalidExamples: string[];
}

/** Thrown when the run was interrupted through `signal`. */
export class InterruptedError extends NeoxError {
  constructor(message: string) {
    super('INTERRUPTED', message);
  }
}

function checkOptions(options: PreprocessOptions): void {
  if (options.inputs.length === 0) throw new UsageError('no input files; pass --input FILE.jsonl[.gz|.zst] (repeatable)');
  for (const input of options.inputs) {
    if (!existsSync(input) || !statSync(input).isFile()) throw new FileError(input, `input ${input} does not exist or is not a file`);
  }
  if (options.keys.length === 0 || options.keys.some((k) => k.length === 0)) throw new UsageError('--jsonl-keys needs at least one non-empty key');
  if (new Set(options.keys).size !== options.keys.length) throw new UsageError(`--jsonl-keys repeats a key (${options.keys.join(', ')})`);
  if (!Number.isInteger(options.workers) || options.workers < 1) throw new UsageError(`--workers ${options.workers} must be an integer ≥ 1`);
  const outputDir = dirname(resolve(options.outputPrefix));
  if (!existsSync(outputDir) || !statSync(outputDir).isDirectory()) {
    throw new FileError(outputDir, `the output directory ${outputDir} (of --output-prefix ${options.outputPrefix}) does not exist; create it first`);
  }
}

export async function preprocess(options: PreprocessOptions): Promise<PreprocessSummary> {
  checkOptions(options);
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  const interrupted = () => new InterruptedError(`interrupted; no output written (existing ${options.outputPrefix}_*_document.bin/.idx are untouched)`);
  if (options.signal?.aborted) throw interrupted();
  const pool = await WorkerPool.start(options.workers, options.tokenizer);
  const dtype = dtypeForVocab(pool.info.vocabSize);
  const settings: EncodeSettings = { keys: options.keys, appendEod: options.appendEod, dtype, stopOnInvalid: !options.skipInvalid };
  const writers: IndexedDatasetWriter[] = [];
  const totals = { documents: 0, tokens: 0, bytes: 0, lines: 0, blank: 0, invalid: 0 };
  const empty = options.keys.map(() => 0);
  const examples: string[] = [];
  const lineOfFile = options.inputs.map(() => 0);
  const inFlight: Array<{ file: number; result: Promise<EncodedBatch> }> = [];
  const maxInFlight = 2 * options.workers + 2;
  let lastProgress = Date.now();
  const interval = options.progressIntervalMs ?? 1000;

  const consume = (file: number, batch: EncodedBatch) => {
    const firstLine = lineOfFile[file]!;
    lineOfFile[file] = firstLine + batch.lines;
    if (batch.invalid.length > 0) {
      const where = (i: { line: number; reason: string }) => `${options.inputs[file]}:${firstLine + i.line + 1}: ${i.reason}`;
      if (!options.skipInvalid) {
        throw new FileError(options.inputs[file]!, `${where(batch.invalid[0]!)}; fix the line, or pass --skip-invalid to skip and count invalid lines`);
      }
      totals.invalid += batch.invalid.length;
      for (const i of batch.invalid) if (examples.length < 10) examples.push(where(i));
    }
    batch.keys.forEach((k, i) => {
      writers[i]!.addEncodedDocuments(k.tokens, k.sizes);
      empty[i]! += k.empty;
    });
    totals.documents += batch.keys[0]!.sizes.length;
    totals.tokens += batch.keys[0]!.tokens.length / (dtype === 'uint16' ? 2 : 4);
    totals.bytes += batch.bytes;
    totals.lines += batch.lines;
    totals.blank += batch.blank;
    if (options.onProgress && Date.now() - lastProgress >= interval) {
      lastProgress = Date.now();
      options.onProgress({ documents: totals.documents, tokens: totals.tokens, bytes: totals.bytes, seconds: seconds() });
    }
  };

  try {
    for (const key of options.keys) writers.push(new IndexedDatasetWriter(`${options.outputPrefix}_${key}_document`, dtype));
    for await (const batch of readInputBatches(options.inputs, options.batchBytes)) {
      if (options.signal?.aborted) throw interrupted();
      inFlight.push({ file: batch.file, result: pool.encode(batch.bytes, settings) });
      while (inFlight.length >= maxInFlight) {
        const next = inFlight.shift()!;
        consume(next.file, await next.result);
        if (options.signal?.aborted) throw interrupted();
      }
    }
    while (inFlight.length > 0) {
      const next = inFlight.shift()!;
      consume(next.file, await next.result);
      if (options.signal?.aborted) throw interrupted();
    }
    const outputs = writers.map((writer, i): KeyOutput => {
      const written = writer.finish();
      return { key: options.keys[i]!, prefix: writer.prefix, documents: written.documents, tokens: written.tokens, emptyDropped: empty[i]!, binBytes: written.binBytes, idxBytes: written.idxBytes };
    });
    return {
      outputs, dtype,
      tokenizerType: pool.info.tokenizerType,
      vocabSize: pool.info.vocabSize,
      documents: totals.documents,
      tokens: totals.tokens,
      bytes: totals.bytes,
      seconds: seconds(),
      lines: totals.lines,
      blankLines: totals.blank,
      invalidSkipped: totals.invalid,
      invalidExamples: examples,
    };
  } catch (error) {
    writers.forEach((w) => w.abort());
    // Results still in flight are discarded; their rejections must not go unhandled.
    inFlight.forEach((p) => p.result.catch(() => undefined));
    throw error;
  } finally {
    await pool.close();
  }
}
