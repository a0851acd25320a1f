/**
 * Natural-log softmax of one row of logits (reference §7.4: over all V_pad entries, temperature
 * 1), accumulated in float64 and stored as float32, so every value the server reports for a
 * position comes from one array.
 */
export function logSoftmax(logits: Float32Array, offset: number, length: number, out: Float32Array = new Float32Array(length)): Float32Array {
  let max = -Infinity;
  for (let v = 0; v < length; v++) {
    const x = logits[offset + v]!;
    if (x > max) max = x;
  }
  let sum = 0;
  for (let v = 0; v < length; v++) sum += Math.exp(logits[offset + v]! - max);
  const logSum = max + Math.log(sum);
  for (let v = 0; v < length; v++) out[v] = logits[offset + v]! - logSum;
  return out;
}
