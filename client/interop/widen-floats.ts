/**
 * Half-precision weights widened to float32 (exactly: every bf16 and fp16 value is a float32).
 * bf16 is the top half of a float32's bits; fp16 (IEEE binary16: 1 sign, 5 exponent, 10 fraction
 * bits) is decoded through a 65536-entry table built once.
 */
import type { DType, TensorData } from '../../common/checkpoint';

let halfTable: Float32Array | null = null;

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function fp16Table(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) halfTable[bits] = halfToFloat(bits);
  }
  return halfTable;
}

/** Float32 values of tensor data stored as `dtype`; F32 is returned as is. */
export function widenToFloat32(dtype: DType, data: TensorData, what: string): Float32Array {
  switch (dtype) {
    case 'F32':
      return data as Float32Array;
    case 'F64':
      return Float32Array.from(data as Float64Array);
    case 'BF16': {
      const halves = data as Uint16Array;
      const out = new Uint32Array(halves.length);
      for (let i = 0; i < halves.length; i++) out[i] = halves[i]! << 16;
      return new Float32Array(out.buffer);
    }
    case 'F16': {
      const table = fp16Table();
      const halves = data as Uint16Array;
      const out = new Float32Array(halves.length);
      for (let i = 0; i < halves.length; i++) out[i] = table[halves[i]!]!;
      return out;
    }
    default:
      throw new TypeError(`${what} has dtype ${dtype}; weights must be floating point (F32, F16, BF16 or F64)`);
  }
}
