/**
 * Random-access integer arrays that live either in memory or in a region of a file. Index files
 * can be far larger than memory (GPT-NeoX mmaps them; Node cannot), so big regions are read on
 * demand in pages with a small LRU cache, and small ones are read whole.
 */
import { readSync } from 'node:fs';

export type IntKind = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64';

const SIZE: Record<IntKind, number> = { int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8 };

/** A read-only integer array. Values are exact up to 2^53. */
export interface IntArray {
  readonly length: number;
  get(i: number): number;
}

export type ResidentTypedArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float64Array;

/** An IntArray over a typed array already in memory. */
export class ResidentIntArray implements IntArray {
  constructor(readonly values: ResidentTypedArray) {}
  get length(): number {
    return this.values.length;
  }
  get(i: number): number {
    return this.values[i]!;
  }
}

function decodeAt(kind: IntKind, buffer: Buffer, byte: number): number {
  switch (kind) {
    case 'int8': return buffer.readInt8(byte);
    case 'uint8': return buffer[byte]!;
    case 'int16': return buffer.readInt16LE(byte);
    case 'uint16': return buffer.readUInt16LE(byte);
    case 'int32': return buffer.readInt32LE(byte);
    case 'uint32': return buffer.readUInt32LE(byte);
    case 'int64': return buffer.readInt32LE(byte + 4) * 0x100000000 + buffer.readUInt32LE(byte);
    case 'uint64': return buffer.readUInt32LE(byte + 4) * 0x100000000 + buffer.readUInt32LE(byte);
  }
}

/** Reads exactly `length` bytes at `position` into `target`, in pieces below 1 GiB. */
export function readFully(fd: number, target: Uint8Array, position: number, length = target.length): void {
  let done = 0;
  while (done < length) {
    const piece = Math.min(length - done, 1 << 30);
    const got = readSync(fd, target, done, piece, position + done);
    if (got <= 0) throw new Error(`unexpected end of file at byte ${position + done}`);
    done += got;
  }
}

/** Reads a whole file region into memory as the natural typed array (int64 → Float64Array). */
export function readResident(fd: number, byteOffset: number, length: number, kind: IntKind): ResidentTypedArray {
  const size = SIZE[kind];
  if (kind === 'int64' || kind === 'uint64') {
    const out = new Float64Array(length);
    const chunkElements = 1 << 20;
    const chunk = Buffer.allocUnsafe(chunkElements * 8);
    for (let start = 0; start < length; start += chunkElements) {
      const count = Math.min(chunkElements, length - start);
      readFully(fd, chunk, byteOffset + start * 8, count * 8);
      for (let i = 0; i < count; i++) out[start + i] = decodeAt(kind, chunk, 8 * i);
    }
    return out;
  }
  const bytes = new Uint8Array(length * size);
  readFully(fd, bytes, byteOffset);
  switch (kind) {
    case 'int8': return new Int8Array(bytes.buffer);
    case 'uint8': return bytes;
    case 'int16': return new Int16Array(bytes.buffer);
    case 'uint16': return new Uint16Array(bytes.buffer);
    case 'int32': return new Int32Array(bytes.buffer);
    case 'uint32': return new Uint32Array(bytes.buffer);
  }
}

/** An IntArray read from a file region on demand, one page at a time, with an LRU page cache. */
export class PagedIntArray implements IntArray {
  private readonly size: number;
  private readonly pages = new Map<number, Buffer>();
  private lastPage = -1;
  private lastBuffer: Buffer | null = null;

  constructor(
    private readonly fd: number,
    private readonly byteOffset: number,
    readonly length: number,
    private readonly kind: IntKind,
    private readonly pageElements = 2048,
    private readonly maxPages = 512,
  ) {
    this.size = SIZE[kind];
  }

  get(i: number): number {
    const page = Math.floor(i / this.pageElements);
    const buffer = page === this.lastPage ? this.lastBuffer! : this.load(page);
    return decodeAt(this.kind, buffer, (i - page * this.pageElements) * this.size);
  }

  private load(page: number): Buffer {
    let buffer = this.pages.get(page);
    if (buffer) {
      this.pages.delete(page);
    } else {
      const first = page * this.pageElements;
      const count = Math.min(this.pageElements, this.length - first);
      buffer = Buffer.allocUnsafe(count * this.size);
      readFully(this.fd, buffer, this.byteOffset + first * this.size);
      if (this.pages.size >= this.maxPages) this.pages.delete(this.pages.keys().next().value!);
    }
    this.pages.set(page, buffer);
    this.lastPage = page;
    this.lastBuffer = buffer;
    return buffer;
  }
}

/** Default: regions up to 64 MiB are read whole; larger ones are paged. */
export const DEFAULT_RESIDENT_LIMIT = 64 << 20;

/** An IntArray over a file region: resident when it is at most `residentLimit` bytes, else paged. */
export function fileIntArray(fd: number, byteOffset: number, length: number, kind: IntKind, residentLimit = DEFAULT_RESIDENT_LIMIT): IntArray {
  if (length * SIZE[kind] <= residentLimit) return new ResidentIntArray(readResident(fd, byteOffset, length, kind));
  return new PagedIntArray(fd, byteOffset, length, kind);
}
