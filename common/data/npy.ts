/**
 * The numpy `.npy` file format (format versions 1.0-3.0, little-endian integer arrays), enough to
 * read and write GPT-NeoX's index-map caches. Headers are laid out as numpy ≥ 1.23 writes them
 * (sorted dict keys, 21 spare bytes for the growth axis, total header padded to 64 bytes), so a
 * file written here is byte-identical to `np.save` of the same array.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

import { FileError } from '../errors';

export type NpyDType = 'int32' | 'int64' | 'uint32' | 'uint64' | 'int16' | 'uint16' | 'int8' | 'uint8';

const DESCR: Record<NpyDType, string> = {
  int8: '|i1', uint8: '|u1', int16: '<i2', uint16: '<u2', int32: '<i4', uint32: '<u4', int64: '<i8', uint64: '<u8',
};
const SIZE: Record<NpyDType, number> = { int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8 };
const FROM_DESCR = new Map<string, NpyDType>((Object.keys(DESCR) as NpyDType[]).map((d) => [DESCR[d], d]));
const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
const ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;

export function npyItemSize(dtype: NpyDType): number {
  return SIZE[dtype];
}

/** The bytes numpy's `np.save` writes before the data of a C-order array of `dtype` and `shape`. */
export function encodeNpyHeader(dtype: NpyDType, shape: readonly number[]): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  if (shape.length > 0) dict += ' '.repeat(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length);
  // Version 1.0 (2-byte length) when it fits, else 2.0 (4-byte length), as numpy chooses.
  for (const [major, lengthBytes] of [[1, 2], [2, 4]] as const) {
    const prefix = MAGIC.length + 2 + lengthBytes;
    const padding = ALIGN - ((prefix + dict.length + 1) % ALIGN);
    // numpy pads a full 64 bytes when the header already ends on a boundary.
    const headerLength = dict.length + padding + 1;
    if (major === 1 && headerLength > 0xffff) continue;
    const out = Buffer.alloc(prefix + headerLength, 0x20);
    MAGIC.copy(out, 0);
    out[6] = major;
    out[7] = 0;
    if (lengthBytes === 2) out.writeUInt16LE(headerLength, 8);
    else out.writeUInt32LE(headerLength, 8);
    out.write(dict, prefix, 'latin1');
    out[out.length - 1] = 0x0a;
    return out;
  }
  throw new Error('unreachable: a .npy header longer than 4 GiB');
}

export interface NpyHeader {
  dtype: NpyDType;
  shape: number[];
  /** Byte offset of the first element. */
  dataOffset: number;
}

/** Reads and checks the header of an open `.npy` file; `path` is only for messages. */
export function readNpyHeader(fd: number, path: string): NpyHeader {
  const fileSize = fstatSync(fd).size;
  const fixed = Buffer.alloc(12);
  const got = readSync(fd, fixed, 0, 12, 0);
  if (got < 10 || !fixed.subarray(0, 6).equals(MAGIC)) {
    throw new FileError(path, `${path} is not a .npy file (no \\x93NUMPY magic); delete it so it is rebuilt`);
  }
  const major = fixed[6]!;
  if (major < 1 || major > 3) throw new FileError(path, `${path} has .npy format version ${major}.${fixed[7]}; only 1.0-3.0 are readable`);
  const lengthBytes = major === 1 ? 2 : 4;
  const headerLength = lengthBytes === 2 ? fixed.readUInt16LE(8) : fixed.readUInt32LE(8);
  const dataOffset = 8 + lengthBytes + headerLength;
  if (dataOffset > fileSize) throw new FileError(path, `${path} is truncated inside its .npy header; delete it so it is rebuilt`);
  const text = Buffer.alloc(headerLength);
  readSync(fd, text, 0, headerLength, 8 + lengthBytes);
  const header = text.toString('latin1');
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new FileError(path, `${path} has an unreadable .npy header ${JSON.stringify(header.trim())}; delete it so it is rebuilt`);
  }
  const dtype = FROM_DESCR.get(descr) ?? FROM_DESCR.get(descr.replace(/^=/, '<'));
  if (!dtype) throw new FileError(path, `${path} holds dtype ${descr}; expected a little-endian integer array`);
  if (fortran === 'True') throw new FileError(path, `${path} is in Fortran order; expected a C-order array`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new FileError(path, `${path} has an invalid .npy shape (${shapeText}); delete it so it is rebuilt`);
  }
  const expected = dataOffset + shape.reduce((a, b) => a * b, 1) * SIZE[dtype];
  if (fileSize < expected) {
    throw new FileError(path, `${path} is truncated: its header says ${expected} bytes but the file has ${fileSize}; delete it so it is rebuilt`);
  }
  return { dtype, shape, dataOffset };
}

/** Opens `path` and reads its header; the caller owns (and closes) the returned fd. */
export function openNpy(path: string): { fd: number; header: NpyHeader } {
  const fd = openSync(path, 'r');
  try {
    return { fd, header: readNpyHeader(fd, path) };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}
