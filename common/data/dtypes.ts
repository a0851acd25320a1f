/**
 * Token dtypes of Megatron indexed datasets: the `.idx` dtype codes, their element sizes, and
 * GPT-NeoX's choice of dtype for a vocabulary (format facts from gpt-neox
 * megatron/data/indexed_dataset.py, see docs/gpt-neox-reference.md §4.2).
 */

export type TokenDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'int64' | 'float32' | 'float64' | 'uint16';

interface DTypeInfo {
  code: number;
  size: number;
  /** Whether the dtype can hold token ids (GPT-NeoX writes only integer dtypes). */
  integer: boolean;
}

export const DTYPES: Readonly<Record<TokenDType, DTypeInfo>> = {
  uint8: { code: 1, size: 1, integer: true },
  int8: { code: 2, size: 1, integer: true },
  int16: { code: 3, size: 2, integer: true },
  int32: { code: 4, size: 4, integer: true },
  int64: { code: 5, size: 8, integer: true },
  float32: { code: 6, size: 4, integer: false },
  float64: { code: 7, size: 8, integer: false },
  uint16: { code: 8, size: 2, integer: true },
};

const BY_CODE = new Map<number, TokenDType>(
  (Object.keys(DTYPES) as TokenDType[]).map((name) => [DTYPES[name].code, name]),
);

/** The dtype with `.idx` code `code`, or null for an unknown code. */
export function dtypeFromCode(code: number): TokenDType | null {
  return BY_CODE.get(code) ?? null;
}

/** GPT-NeoX's `best_fitting_dtype`: uint16 when the unpadded vocabulary is below 65500, else int32. */
export function dtypeForVocab(vocabSize: number): 'uint16' | 'int32' {
  return vocabSize < 65500 ? 'uint16' : 'int32';
}

/** Largest token id (inclusive) a dtype stores without wrapping. */
export function maxTokenId(dtype: TokenDType): number {
  switch (dtype) {
    case 'uint8': return 0xff;
    case 'int8': return 0x7f;
    case 'int16': return 0x7fff;
    case 'uint16': return 0xffff;
    case 'int32': return 0x7fffffff;
    default: return Number.MAX_SAFE_INTEGER;
  }
}

/**
 * Decodes `count` little-endian elements of `dtype` from `bytes` (starting at byte 0) into
 * `out[outOffset..]`. Works for any alignment of `bytes`; the aligned fast paths use typed-array
 * views and so assume a little-endian host (x86, ARM).
 */
export function decodeTokens(dtype: TokenDType, bytes: Buffer, count: number, out: Int32Array, outOffset: number): void {
  switch (dtype) {
    case 'uint16':
      if ((bytes.byteOffset & 1) === 0) {
        out.set(new Uint16Array(bytes.buffer, bytes.byteOffset, count), outOffset);
      } else {
        for (let i = 0; i < count; i++) out[outOffset + i] = bytes.readUInt16LE(2 * i);
      }
      return;
    case 'int32':
      if ((bytes.byteOffset & 3) === 0) {
        out.set(new Int32Array(bytes.buffer, bytes.byteOffset, count), outOffset);
      } else {
        for (let i = 0; i < count; i++) out[outOffset + i] = bytes.readInt32LE(4 * i);
      }
      return;
    case 'uint8':
      for (let i = 0; i < count; i++) out[outOffset + i] = bytes[i]!;
      return;
    case 'int8':
      for (let i = 0; i < count; i++) out[outOffset + i] = bytes.readInt8(i);
      return;
    case 'int16':
      for (let i = 0; i < count; i++) out[outOffset + i] = bytes.readInt16LE(2 * i);
      return;
    case 'int64':
      // Token ids fit in 32 bits; the high word is dropped after the low word is read.
      for (let i = 0; i < count; i++) out[outOffset + i] = bytes.readInt32LE(8 * i);
      return;
    case 'float32':
      for (let i = 0; i < count; i++) out[outOffset + i] = bytes.readFloatLE(4 * i);
      return;
    case 'float64':
      for (let i = 0; i < count; i++) out[outOffset + i] = bytes.readDoubleLE(8 * i);
      return;
  }
}
