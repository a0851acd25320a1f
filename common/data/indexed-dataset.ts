/**
 * Reader of Megatron indexed datasets (`PREFIX.idx` + `PREFIX.bin`). Loads the item sizes into
 * memory, reads pointers and doc_idx on demand, and reads tokens from `.bin` at byte offsets, so
 * `.bin` files of any size work without mmap.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';

import { FileError } from '../errors';
import { decodeTokens, DTYPES, TokenDType } from './dtypes';
import { IndexFormat, IndexLayout, parseIndexHeader } from './idx-format';
import { DEFAULT_RESIDENT_LIMIT, fileIntArray, IntArray, readResident } from './int-array';

export interface OpenOptions {
  /** GPT-NeoX `data_impl`: "infer" (default) accepts either format; "mmap"/"cached" insist on one. */
  impl?: 'infer' | 'mmap' | 'cached';
  /** Index arrays up to this many bytes are read whole; larger ones are paged. */
  residentLimit?: number;
}

export class IndexedDataset {
  readonly idxPath: string;
  readonly binPath: string;
  readonly format: IndexFormat;
  readonly dtype: TokenDType;
  /** Tokens in each item. */
  readonly sizes: Int32Array;
  /** Item index where each document starts; last entry = item count (for well-formed files). */
  readonly docIdx: IntArray;
  /** Byte size of `.bin`. */
  readonly binBytes: number;
  readonly idxBytes: number;
  private readonly pointers: IntArray;
  private readonly pointerScale: number;
  private readonly binFd: number;
  private readonly idxFd: number;
  private scratch = Buffer.allocUnsafe(1 << 16);
  private closed = false;

  private constructor(readonly prefix: string, options: OpenOptions) {
    this.idxPath = `${prefix}.idx`;
    this.binPath = `${prefix}.bin`;
    for (const path of [this.idxPath, this.binPath]) {
      if (!existsSync(path)) {
        throw new FileError(path, `${path} does not exist; check the data path prefix "${prefix}" (no extension) or create it with neox preprocess`);
      }
    }
    this.idxFd = openSync(this.idxPath, 'r');
    let binFd = -1;
    try {
      this.idxBytes = fstatSync(this.idxFd).size;
      const head = Buffer.alloc(Math.min(64, this.idxBytes));
      readSync(this.idxFd, head, 0, head.length, 0);
      const layout = parseIndexHeader(head, this.idxBytes, this.idxPath);
      const impl = options.impl ?? 'infer';
      if (impl !== 'infer' && impl !== layout.format) {
        throw new FileError(this.idxPath, `${this.idxPath} is in the ${layout.format} format but data_impl is "${impl}"; set data_impl to "infer" or "${layout.format}"`);
      }
      this.format = layout.format;
      this.dtype = layout.dtype;
      const limit = options.residentLimit ?? DEFAULT_RESIDENT_LIMIT;
      const loaded = loadArrays(this.idxFd, this.idxPath, layout, limit);
      this.sizes = loaded.sizes;
      this.pointers = loaded.pointers;
      this.pointerScale = loaded.pointerScale;
      this.docIdx = fileIntArray(this.idxFd, layout.docIdxOffset, layout.docIdxLength, 'int64', limit);
      binFd = openSync(this.binPath, 'r');
      this.binBytes = fstatSync(binFd).size;
      this.binFd = binFd;
      this.checkBinSize();
    } catch (error) {
      closeSync(this.idxFd);
      if (binFd >= 0) closeSync(binFd);
      throw error;
    }
  }

  /** Opens the dataset named by `prefix` (no extension). */
  static open(prefix: string, options: OpenOptions = {}): IndexedDataset {
    return new IndexedDataset(prefix, options);
  }

  /** Number of items (N); one item per document for files written by preprocess. */
  get length(): number {
    return this.sizes.length;
  }

  /** Number of documents according to doc_idx. */
  get documentCount(): number {
    return Math.max(0, this.docIdx.length - 1);
  }

  /** Byte offset of item `i` in `.bin`. */
  pointer(i: number): number {
    return this.pointers.get(i) * this.pointerScale;
  }

  /** Σ sizes. */
  totalTokens(): number {
    let total = 0;
    const sizes = this.sizes;
    for (let i = 0; i < sizes.length; i++) total += sizes[i]!;
    return total;
  }

  /**
   * Copies tokens [offset, offset + length) of item `item` into `out[outOffset..]` (GPT-NeoX's
   * `get(idx, offset, length)`).
   */
  readInto(item: number, offset: number, length: number, out: Int32Array, outOffset = 0): void {
    if (this.closed) throw new Error(`${this.prefix}: read after close`);
    if (length === 0) return;
    const itemSize = DTYPES[this.dtype].size;
    const bytes = length * itemSize;
    if (this.scratch.length < bytes) this.scratch = Buffer.allocUnsafe(Math.max(bytes, this.scratch.length * 2));
    const view = this.scratch.subarray(0, bytes);
    const position = this.pointer(item) + offset * itemSize;
    let done = 0;
    while (done < bytes) {
      const got = readSync(this.binFd, view, done, bytes - done, position + done);
      if (got <= 0) throw new FileError(this.binPath, `${this.binPath} ended at byte ${position + done} while reading item ${item}; the file was truncated after it was opened`);
      done += got;
    }
    decodeTokens(this.dtype, view, length, out, outOffset);
  }

  /** Tokens [offset, offset + length) of item `item` (whole item by default). */
  read(item: number, offset = 0, length = this.sizes[item]! - offset): Int32Array {
    const out = new Int32Array(length);
    this.readInto(item, offset, length, out, 0);
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.binFd);
    closeSync(this.idxFd);
  }

  /** GPT-NeoX's writers (preprocess, merge) make .bin exactly as long as .idx describes. */
  private checkBinSize(): void {
    const n = this.sizes.length;
    const needed = n === 0 ? 0 : this.pointer(n - 1) + this.sizes[n - 1]! * DTYPES[this.dtype].size;
    if (this.binBytes < needed) {
      throw new FileError(this.binPath, `${this.binPath} has ${this.binBytes} bytes but ${this.idxPath} needs ${needed} (its last item ends there); the .bin is truncated or belongs to another .idx, re-run neox preprocess`);
    }
    if (this.binBytes > needed) {
      throw new FileError(this.binPath, `${this.binPath} has ${this.binBytes} bytes but ${this.idxPath} describes only ${needed}; the two files do not belong together, re-run neox preprocess`);
    }
  }
}

function loadArrays(fd: number, path: string, layout: IndexLayout, limit: number): { sizes: Int32Array; pointers: IntArray; pointerScale: number } {
  if (layout.format === 'mmap') {
    const sizes = readResident(fd, layout.sizesOffset, layout.items, 'int32') as Int32Array;
    return { sizes, pointers: fileIntArray(fd, layout.pointersOffset, layout.items, 'int64', limit), pointerScale: 1 };
  }
  // TNTIDX: item i spans sizes[dim_offsets[i] .. dim_offsets[i+1]); token items are 1-D.
  if (layout.sizesLength !== layout.items) {
    throw new FileError(path, `${path} holds ${layout.sizesLength} dims for ${layout.items} items; only 1-D (token) items are supported`);
  }
  const raw = readResident(fd, layout.sizesOffset, layout.sizesLength, 'int64');
  const sizes = new Int32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const size = raw[i]!;
    if (size < 0 || size > 0x7fffffff) throw new FileError(path, `${path}: item ${i} has size ${size}; the file is corrupt`);
    sizes[i] = size;
  }
  // data_offsets are in elements; pointer() multiplies by the element size.
  return { sizes, pointers: fileIntArray(fd, layout.dataOffsetsOffset, layout.items, 'int64', limit), pointerScale: layout.elementSize };
}
