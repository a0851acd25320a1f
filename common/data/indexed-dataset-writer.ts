/**
 * Streaming writer of Megatron mmap indexed datasets (`PREFIX.bin` + `PREFIX.idx`), byte-identical
 * to GPT-NeoX's `MMapIndexedDatasetBuilder` for the same tokens. Memory stays constant whatever
 * the size: tokens go straight to the temporary `.bin`, sizes straight into the temporary `.idx`
 * behind a placeholder header, and doc_idx into a spool file. `finish()` appends pointers and
 * doc_idx, writes the header, fsyncs and renames both files into place; `abort()` removes them.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

import { BufferedWriter } from './buffered-writer';
import { DTYPES, maxTokenId, TokenDType } from './dtypes';
import { encodeMmapHeader, MMAP_HEADER_BYTES } from './idx-format';
import { readFully } from './int-array';
import { commitTemps, createTempPath, discardTemp } from './temp-files';

export interface WriterSummary {
  /** Documents (doc_idx entries − 1). */
  documents: number;
  /** Items (sizes entries). */
  items: number;
  tokens: number;
  binBytes: number;
  idxBytes: number;
}

export class IndexedDatasetWriter {
  readonly binPath: string;
  readonly idxPath: string;
  private readonly tempBin: string;
  private readonly tempIdx: string;
  private readonly tempDocIdx: string;
  private readonly binFd: number;
  private readonly idxFd: number;
  private readonly docIdxFd: number;
  private readonly bin: BufferedWriter;
  private readonly sizes: BufferedWriter;
  private readonly docIdx: BufferedWriter;
  private readonly itemSize: number;
  private readonly maxId: number;
  private scratch = Buffer.allocUnsafe(1 << 16);
  private items = 0;
  private docIdxLength = 1;
  private tokens = 0;
  private state: 'open' | 'finished' | 'aborted' = 'open';

  constructor(readonly prefix: string, readonly dtype: TokenDType) {
    if (!DTYPES[dtype].integer) throw new RangeError(`dtype ${dtype} cannot hold token ids`);
    this.binPath = `${prefix}.bin`;
    this.idxPath = `${prefix}.idx`;
    this.itemSize = DTYPES[dtype].size;
    this.maxId = maxTokenId(dtype);
    this.tempBin = createTempPath(this.binPath);
    this.tempIdx = createTempPath(this.idxPath);
    this.tempDocIdx = createTempPath(`${this.idxPath}.doc_idx`);
    const fds: number[] = [];
    try {
      for (const path of [this.tempBin, this.tempIdx, this.tempDocIdx]) fds.push(openSync(path, 'wx+'));
    } catch (error) {
      fds.forEach((fd) => closeSync(fd));
      [this.tempBin, this.tempIdx, this.tempDocIdx].forEach(discardTemp);
      throw error;
    }
    [this.binFd, this.idxFd, this.docIdxFd] = fds as [number, number, number];
    this.bin = new BufferedWriter(this.binFd, 0);
    this.sizes = new BufferedWriter(this.idxFd, MMAP_HEADER_BYTES);
    this.docIdx = new BufferedWriter(this.docIdxFd, 0, 1 << 16);
    this.docIdx.writeInt64(0);
  }

  /** Appends one document made of one item (GPT-NeoX: `add_item` then `end_document`). */
  addDocument(tokens: ArrayLike<number>): void {
    this.addItem(tokens);
    this.endDocument();
  }

  /** Appends one item without closing the document. */
  addItem(tokens: ArrayLike<number>): void {
    this.checkOpen();
    const bytes = tokens.length * this.itemSize;
    if (this.scratch.length < bytes) this.scratch = Buffer.allocUnsafe(Math.max(bytes, 2 * this.scratch.length));
    const out = this.scratch;
    for (let i = 0; i < tokens.length; i++) {
      const id = tokens[i]!;
      if (!Number.isInteger(id) || id < 0 || id > this.maxId) {
        throw new RangeError(`token id ${id} does not fit the dataset dtype ${this.dtype} (0..${this.maxId}) in ${this.binPath}`);
      }
      writeElement(this.dtype, out, i, id);
    }
    this.bin.write(out.subarray(0, bytes));
    this.sizes.writeInt32(tokens.length);
    this.items++;
    this.tokens += tokens.length;
  }

  /** Closes the current document: doc_idx gets the current item count. */
  endDocument(): void {
    this.checkOpen();
    this.docIdx.writeInt64(this.items);
    this.docIdxLength++;
  }

  /**
   * Appends documents whose tokens are already encoded in this dataset's dtype (little-endian),
   * concatenated in `tokenBytes`; `sizes[d]` is document d's token count. A size of 0 closes a
   * document without an item, as GPT-NeoX does for text that tokenizes to nothing.
   */
  addEncodedDocuments(tokenBytes: Uint8Array, sizes: Int32Array): void {
    this.checkOpen();
    this.bin.write(tokenBytes);
    for (let d = 0; d < sizes.length; d++) {
      const size = sizes[d]!;
      if (size > 0) {
        this.sizes.writeInt32(size);
        this.items++;
        this.tokens += size;
      }
      this.docIdx.writeInt64(this.items);
    }
    this.docIdxLength += sizes.length;
  }

  get documentCount(): number {
    return this.docIdxLength - 1;
  }

  get tokenCount(): number {
    return this.tokens;
  }

  /** Completes the `.idx`, fsyncs both files and renames them onto their final paths. */
  finish(): WriterSummary {
    this.checkOpen();
    try {
      this.bin.flush();
      this.sizes.flush();
      this.docIdx.flush();
      this.appendPointers();
      this.appendDocIdx();
      writeSync(this.idxFd, encodeMmapHeader(this.dtype, this.items, this.docIdxLength), 0, MMAP_HEADER_BYTES, 0);
      fsyncSync(this.binFd);
      fsyncSync(this.idxFd);
    } catch (error) {
      this.abort();
      throw error;
    }
    this.closeAll();
    discardTemp(this.tempDocIdx);
    commitTemps([{ temp: this.tempBin, final: this.binPath }, { temp: this.tempIdx, final: this.idxPath }]);
    this.state = 'finished';
    return {
      documents: this.docIdxLength - 1,
      items: this.items,
      tokens: this.tokens,
      binBytes: this.tokens * this.itemSize,
      idxBytes: MMAP_HEADER_BYTES + 12 * this.items + 8 * this.docIdxLength,
    };
  }

  /** Removes the temporary files; outputs that existed before stay as they were. */
  abort(): void {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    this.closeAll();
    [this.tempBin, this.tempIdx, this.tempDocIdx].forEach(discardTemp);
  }

  private closeAll(): void {
    for (const fd of [this.binFd, this.idxFd, this.docIdxFd]) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
  }

  private checkOpen(): void {
    if (this.state !== 'open') throw new Error(`${this.prefix}: the writer is ${this.state}`);
  }

  /** pointers[i] = itemsize · Σ_{k<i} sizes[k], read back from the sizes already in the `.idx`. */
  private appendPointers(): void {
    const out = new BufferedWriter(this.idxFd, MMAP_HEADER_BYTES + 4 * this.items);
    const chunk = new Int32Array(1 << 18);
    const bytes = new Uint8Array(chunk.buffer);
    let address = 0;
    for (let start = 0; start < this.items; start += chunk.length) {
      const count = Math.min(chunk.length, this.items - start);
      readFully(this.idxFd, bytes, MMAP_HEADER_BYTES + 4 * start, count * 4);
      for (let i = 0; i < count; i++) {
        out.writeInt64(address);
        address += chunk[i]! * this.itemSize;
      }
    }
    out.flush();
  }

  private appendDocIdx(): void {
    const out = new BufferedWriter(this.idxFd, MMAP_HEADER_BYTES + 12 * this.items);
    const chunk = Buffer.allocUnsafe(1 << 20);
    const total = 8 * this.docIdxLength;
    for (let start = 0; start < total; start += chunk.length) {
      const count = Math.min(chunk.length, total - start);
      readFully(this.docIdxFd, chunk, start, count);
      out.write(chunk.subarray(0, count));
    }
    out.flush();
  }
}

function writeElement(dtype: TokenDType, out: Buffer, i: number, id: number): void {
  switch (dtype) {
    case 'uint8': out[i] = id; return;
    case 'int8': out.writeInt8(id, i); return;
    case 'int16': out.writeInt16LE(id, 2 * i); return;
    case 'uint16': out.writeUInt16LE(id, 2 * i); return;
    case 'int32': out.writeInt32LE(id, 4 * i); return;
    case 'int64': {
      const high = Math.floor(id / 0x100000000);
      out.writeUInt32LE(id - high * 0x100000000, 8 * i);
      out.writeInt32LE(high, 8 * i + 4);
      return;
    }
    default: throw new RangeError(`dtype ${dtype} cannot hold token ids`);
  }
}
