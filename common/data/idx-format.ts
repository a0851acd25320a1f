/**
 * The `.idx` header of Megatron indexed datasets: the mmap format ("MMIDIDX", what GPT-NeoX
 * writes) and the legacy "TNTIDX" (`cached`) format, read-only. Layouts per
 * docs/gpt-neox-reference.md §4.2 (gpt-neox megatron/data/indexed_dataset.py).
 */
import { FileError } from '../errors';
import { dtypeFromCode, DTYPES, TokenDType } from './dtypes';

export const MMAP_MAGIC = Buffer.from('MMIDIDX\0\0', 'latin1');
export const CACHED_MAGIC = Buffer.from('TNTIDX\0\0', 'latin1');
export const MMAP_HEADER_BYTES = 34;
const CACHED_HEADER_BYTES = 56;

export type IndexFormat = 'mmap' | 'cached';

export interface MmapIndexLayout {
  format: 'mmap';
  dtype: TokenDType;
  /** N: items (`sizes`/`pointers` entries). */
  items: number;
  /** D: `doc_idx` entries. */
  docIdxLength: number;
  sizesOffset: number;
  pointersOffset: number;
  docIdxOffset: number;
}

export interface CachedIndexLayout {
  format: 'cached';
  dtype: TokenDType;
  elementSize: number;
  items: number;
  docIdxLength: number;
  dimOffsetsOffset: number;
  dataOffsetsOffset: number;
  sizesOffset: number;
  /** S: entries of the int64 `sizes` array (equals N for 1-D items). */
  sizesLength: number;
  docIdxOffset: number;
}

export type IndexLayout = MmapIndexLayout | CachedIndexLayout;

/** The 34 header bytes of an mmap `.idx` with `items` items and `docIdxLength` doc_idx entries. */
export function encodeMmapHeader(dtype: TokenDType, items: number, docIdxLength: number): Buffer {
  const header = Buffer.alloc(MMAP_HEADER_BYTES);
  MMAP_MAGIC.copy(header, 0);
  header.writeBigUInt64LE(1n, 9);
  header.writeUInt8(DTYPES[dtype].code, 17);
  header.writeBigUInt64LE(BigInt(items), 18);
  header.writeBigUInt64LE(BigInt(docIdxLength), 26);
  return header;
}

/** Size in bytes of an mmap `.idx` for N items and D doc_idx entries. */
export function mmapIndexBytes(items: number, docIdxLength: number): number {
  return MMAP_HEADER_BYTES + 12 * items + 8 * docIdxLength;
}

const REPROCESS = 're-run neox preprocess';

function u64(head: Buffer, offset: number, path: string, field: string): number {
  const value = head.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new FileError(path, `${path} is corrupt: header field ${field} is ${value}; ${REPROCESS}`);
  }
  return Number(value);
}

function checkDtype(code: number, path: string): TokenDType {
  const dtype = dtypeFromCode(code);
  if (!dtype) throw new FileError(path, `${path} has unknown dtype code ${code}; expected 1-5 or 8 (uint8, int8, int16, int32, int64, uint16)`);
  if (!DTYPES[dtype].integer) {
    throw new FileError(path, `${path} has dtype code ${code} (${dtype}), which cannot hold token ids; expected 1-5 or 8`);
  }
  return dtype;
}

/**
 * Parses and checks the header of an index file of `fileSize` bytes whose first bytes are `head`
 * (at least 56 bytes, or the whole file if shorter). Throws FileError naming the problem and fix.
 */
export function parseIndexHeader(head: Buffer, fileSize: number, path: string): IndexLayout {
  if (fileSize >= 8 && head.subarray(0, 8).equals(CACHED_MAGIC)) return parseCached(head, fileSize, path);
  if (fileSize < MMAP_MAGIC.length || !head.subarray(0, MMAP_MAGIC.length).equals(MMAP_MAGIC)) {
    const shown = JSON.stringify(head.subarray(0, Math.min(9, fileSize)).toString('latin1'));
    throw new FileError(path, `${path} is not a Megatron indexed-dataset index: it starts with ${shown}, not "MMIDIDX\\u0000\\u0000" or "TNTIDX\\u0000\\u0000"; pass the prefix of a file written by neox preprocess or GPT-NeoX`);
  }
  if (fileSize < MMAP_HEADER_BYTES) {
    throw new FileError(path, `${path} is truncated: ${fileSize} bytes, shorter than the ${MMAP_HEADER_BYTES}-byte header; ${REPROCESS}`);
  }
  const version = head.readBigUInt64LE(9);
  if (version !== 1n) throw new FileError(path, `${path} has index version ${version}; only version 1 is supported`);
  const dtype = checkDtype(head.readUInt8(17), path);
  const items = u64(head, 18, path, 'N');
  const docIdxLength = u64(head, 26, path, 'D');
  const expected = mmapIndexBytes(items, docIdxLength);
  if (fileSize < expected) {
    throw new FileError(path, `${path} is truncated: header says ${items} items and ${docIdxLength} doc_idx entries (34+12·${items}+8·${docIdxLength} = ${expected} bytes) but the file has ${fileSize} bytes; ${REPROCESS}`);
  }
  if (fileSize > expected) {
    throw new FileError(path, `${path} has ${fileSize} bytes but its header describes ${expected} (34+12·${items}+8·${docIdxLength}); the file is corrupt, ${REPROCESS}`);
  }
  return {
    format: 'mmap', dtype, items, docIdxLength,
    sizesOffset: MMAP_HEADER_BYTES,
    pointersOffset: MMAP_HEADER_BYTES + 4 * items,
    docIdxOffset: MMAP_HEADER_BYTES + 12 * items,
  };
}

function parseCached(head: Buffer, fileSize: number, path: string): CachedIndexLayout {
  if (fileSize < CACHED_HEADER_BYTES) {
    throw new FileError(path, `${path} is truncated: ${fileSize} bytes, shorter than the ${CACHED_HEADER_BYTES}-byte TNTIDX header; ${REPROCESS}`);
  }
  const version = head.readBigUInt64LE(8);
  if (version !== 1n) throw new FileError(path, `${path} has TNTIDX version ${version}; only version 1 is supported`);
  const dtype = checkDtype(u64(head, 16, path, 'dtype'), path);
  const elementSize = u64(head, 24, path, 'element size');
  if (elementSize !== DTYPES[dtype].size) {
    throw new FileError(path, `${path} says element size ${elementSize} for dtype ${dtype} (size ${DTYPES[dtype].size}); the file is corrupt`);
  }
  const items = u64(head, 32, path, 'N');
  const sizesLength = u64(head, 40, path, 'S');
  const docIdxLength = u64(head, 48, path, 'D');
  const dimOffsetsOffset = CACHED_HEADER_BYTES;
  const dataOffsetsOffset = dimOffsetsOffset + 8 * (items + 1);
  const sizesOffset = dataOffsetsOffset + 8 * (items + 1);
  const docIdxOffset = sizesOffset + 8 * sizesLength;
  const expected = docIdxOffset + 8 * docIdxLength;
  if (fileSize < expected) {
    throw new FileError(path, `${path} is truncated: its TNTIDX header says ${items} items, ${sizesLength} sizes and ${docIdxLength} doc_idx entries (${expected} bytes) but the file has ${fileSize} bytes; ${REPROCESS}`);
  }
  return { format: 'cached', dtype, elementSize, items, docIdxLength, dimOffsetsOffset, dataOffsetsOffset, sizesOffset, sizesLength, docIdxOffset };
}
