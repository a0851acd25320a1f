/** Element types a checkpoint tensor can have, with safetensors' names and JS array views. */

export type DType = 'F32' | 'F64' | 'BF16' | 'F16' | 'I64' | 'I32' | 'I16' | 'U16' | 'U8' | 'I8';

export const DTYPE_BYTES: Record<DType, number> = {
  F64: 8, F32: 4, BF16: 2, F16: 2, I64: 8, I32: 4, I16: 2, U16: 2, U8: 1, I8: 1,
};

export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_BYTES, value);
}

/** Bytes of a tensor's elements, little-endian as safetensors stores them. */
export type TensorData = Float32Array | Float64Array | Uint16Array | Int16Array | Int32Array | BigInt64Array | Uint8Array | Int8Array;

export function bytesOf(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** A typed view over raw little-endian bytes (copied when unaligned). */
export function viewAs(dtype: DType, bytes: Uint8Array): TensorData {
  const size = DTYPE_BYTES[dtype];
  const aligned = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  const { buffer, byteOffset, byteLength } = aligned;
  const count = byteLength / size;
  switch (dtype) {
    case 'F32': return new Float32Array(buffer, byteOffset, count);
    case 'F64': return new Float64Array(buffer, byteOffset, count);
    case 'BF16': case 'F16': case 'U16': return new Uint16Array(buffer, byteOffset, count);
    case 'I16': return new Int16Array(buffer, byteOffset, count);
    case 'I32': return new Int32Array(buffer, byteOffset, count);
    case 'I64': return new BigInt64Array(buffer, byteOffset, count);
    case 'U8': return new Uint8Array(buffer, byteOffset, count);
    case 'I8': return new Int8Array(buffer, byteOffset, count);
  }
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
