/**
 * The safetensors file format: u64 little-endian header length N, N bytes of JSON header
 * ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}), then the
 * tensors' bytes. Offsets are relative to the end of the header. We pad the header with spaces to
 * a multiple of 8 so tensor data stays aligned (the format allows it).
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';

import { FileError } from '../errors';
import { bytesOf, DTYPE_BYTES, DType, elementCount, isDType, TensorData, viewAs } from './dtypes';

export interface SafetensorsEntry {
  name: string;
  dtype: DType;
  shape: number[];
  data: TensorData;
}

export interface WrittenFile {
  bytes: number;
  sha256: string;
}

interface HeaderEntry {
  dtype: DType;
  shape: number[];
  data_offsets: [number, number];
}

const MAX_HEADER_BYTES = 100 * 1024 * 1024;

/** Writes entries to `path` (created or truncated), fsyncs it, returns its size and SHA-256. */
export function writeSafetensors(path: string, entries: SafetensorsEntry[], metadata: Record<string, string> = {}): WrittenFile {
  const header: Record<string, HeaderEntry | Record<string, string>> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const entry of entries) {
    const expected = elementCount(entry.shape) * DTYPE_BYTES[entry.dtype];
    if (entry.data.byteLength !== expected) {
      throw new FileError(path, `tensor ${entry.name} has ${entry.data.byteLength} bytes but shape [${entry.shape}] of ${entry.dtype} needs ${expected}`);
    }
    header[entry.name] = { dtype: entry.dtype, shape: entry.shape, data_offsets: [offset, offset + expected] };
    offset += expected;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) json = Buffer.concat([json, Buffer.alloc(padded - json.length, 0x20)]);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));

  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  try {
    const write = (bytes: Uint8Array) => {
      hash.update(bytes);
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    };
    write(prefix);
    write(json);
    for (const entry of entries) write(bytesOf(entry.data));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { bytes: 8 + json.length + offset, sha256: hash.digest('hex') };
}

export interface SafetensorsTensorInfo {
  dtype: DType;
  shape: number[];
  /** Absolute byte offset of the first element in the file. */
  begin: number;
  byteLength: number;
}

/** An open safetensors file: the parsed header, with tensors read on demand (pread). */
export class SafetensorsFile {
  readonly tensors = new Map<string, SafetensorsTensorInfo>();
  readonly metadata: Record<string, string> = {};
  private fd: number | null;

  constructor(readonly path: string) {
    this.fd = openFile(path);
    const size = fstatSync(this.fd).size;
    const fail = (why: string): never => {
      this.close();
      throw new FileError(path, `${path} is not a valid safetensors file: ${why}`);
    };
    if (size < 8) fail(`it has ${size} bytes, fewer than the 8-byte header length`);
    const prefix = Buffer.alloc(8);
    readSync(this.fd, prefix, 0, 8, 0);
    const headerBytes = Number(prefix.readBigUInt64LE());
    if (headerBytes > MAX_HEADER_BYTES || 8 + headerBytes > size) {
      fail(`header length ${headerBytes} does not fit in the file's ${size} bytes (truncated?)`);
    }
    const json = Buffer.alloc(headerBytes);
    readSync(this.fd, json, 0, headerBytes, 8);
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
    } catch (error) {
      return fail(`its JSON header does not parse (${(error as Error).message})`);
    }
    const dataStart = 8 + headerBytes;
    Object.assign(this.metadata, (header.__metadata__ as Record<string, string> | undefined) ?? {});
    for (const [name, value] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const entry = value as Partial<HeaderEntry>;
      if (!isDType(entry.dtype) || !Array.isArray(entry.shape) || !Array.isArray(entry.data_offsets)) {
        fail(`tensor ${name} has a malformed header entry`);
      }
      const [begin, end] = entry.data_offsets as [number, number];
      const byteLength = elementCount(entry.shape as number[]) * DTYPE_BYTES[entry.dtype as DType];
      if (end - begin !== byteLength || dataStart + end > size) {
        fail(`tensor ${name} spans bytes [${begin}, ${end}) which does not match its shape or the file size`);
      }
      this.tensors.set(name, { dtype: entry.dtype as DType, shape: entry.shape as number[], begin: dataStart + begin, byteLength });
    }
  }

  /** Reads `count` elements of tensor `name` starting at element `start` (flat, row-major). */
  read(name: string, start = 0, count?: number): TensorData {
    const info = this.tensors.get(name);
    if (!info) throw new FileError(this.path, `${this.path} has no tensor named ${name}`);
    const size = DTYPE_BYTES[info.dtype];
    const total = info.byteLength / size;
    const n = count ?? total - start;
    if (start < 0 || n < 0 || start + n > total) {
      throw new FileError(this.path, `read of elements [${start}, ${start + n}) is outside tensor ${name} of ${total} elements`);
    }
    const bytes = new Uint8Array(n * size);
    preadFully(this.handle(), bytes, info.begin + start * size, this.path);
    return viewAs(info.dtype, bytes);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private handle(): number {
    if (this.fd === null) throw new FileError(this.path, `${this.path} was already closed`);
    return this.fd;
  }
}

function openFile(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    throw new FileError(path, `cannot open ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
}

function preadFully(fd: number, into: Uint8Array, position: number, path: string): void {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, position + done);
    if (n === 0) throw new FileError(path, `${path} ended early at byte ${position + done}`);
    done += n;
  }
}
