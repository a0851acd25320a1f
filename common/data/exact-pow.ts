/**
 * x^y for x ≥ 0, rounded correctly to the nearest double. GPT-NeoX computes blending weights with
 * Python's `**` (C pow, which glibc rounds correctly in all but vanishingly rare cases), while V8's
 * Math.pow can be one ulp off; evaluating exp(y·ln x) in 300-bit fixed point and rounding once
 * reproduces Python's results. Slow (BigInt), meant for a handful of values.
 */

const P = 300n;
const ONE = 1n << P;

/** The exact value of a finite positive double as (mantissa, exponent): d = mantissa · 2^exponent. */
function decompose(d: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, d);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  const fraction = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  return biased === 0
    ? { mantissa: fraction, exponent: -1074 }
    : { mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}

/** A double as a fixed-point BigInt with P fraction bits (exact for the magnitudes used here). */
function toFixed(d: number): bigint {
  const negative = d < 0;
  const { mantissa, exponent } = decompose(Math.abs(d));
  const shift = BigInt(exponent) + P;
  const fixed = shift >= 0n ? mantissa << shift : mantissa >> -shift;
  return negative ? -fixed : fixed;
}

/** ln(m) for a fixed-point m in [1, 2], as 2·atanh((m − 1)/(m + 1)). */
function lnNear1(m: bigint): bigint {
  const s = ((m - ONE) * ONE) / (m + ONE);
  const s2 = (s * s) >> P;
  let term = s;
  let sum = s;
  for (let k = 3n; term !== 0n; k += 2n) {
    term = (term * s2) >> P;
    sum += term / k;
  }
  return 2n * sum;
}

const LN2 = lnNear1(2n * ONE);

function ln(x: number): bigint {
  const { mantissa, exponent } = decompose(x);
  // x = m · 2^e with m in [1, 2).
  const bits = mantissa.toString(2).length;
  const e = exponent + bits - 1;
  const m = (mantissa << P) >> BigInt(bits - 1);
  return BigInt(e) * LN2 + lnNear1(m);
}

export function exactPow(x: number, y: number): number {
  if (!(x >= 0) || !Number.isFinite(x) || !Number.isFinite(y)) return Math.pow(x, y);
  if (y === 0 || x === 1) return 1;
  if (x === 0) return y > 0 ? 0 : Infinity;
  const exponent = (toFixed(y) * ln(x)) >> P;
  // exp(exponent) = 2^k · exp(r), |r| ≤ ln2 / 2.
  let k = exponent / LN2;
  let r = exponent - k * LN2;
  if (2n * r > LN2) {
    k += 1n;
    r -= LN2;
  } else if (2n * r < -LN2) {
    k -= 1n;
    r += LN2;
  }
  let term = ONE;
  let sum = ONE;
  for (let n = 1n; term !== 0n; n++) {
    term = (term * r) / (ONE * n);
    sum += term;
  }
  // Number(BigInt) rounds to nearest, ties to even; scaling by a power of two is then exact.
  return Number(sum) * 2 ** (Number(k) - Number(P));
}
