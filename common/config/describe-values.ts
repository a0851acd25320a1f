/** Small formatters for configuration messages: how a value, a quotient or a list of divisors reads. */

const MAX_SHOWN = 60;

/** A value as it appears in a message: strings quoted, collections as compact JSON (shortened). */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  const json = JSON.stringify(value) ?? String(value);
  return json.length > MAX_SHOWN ? `${json.slice(0, MAX_SHOWN - 1)}…` : json;
}

/** a / b with at most three decimals, e.g. "8.333" or "1.5". */
export function ratio(a: number, b: number): string {
  return String(Number((a / b).toFixed(3)));
}

/** The positive divisors of n in ascending order, e.g. 12 -> "1, 2, 3, 4, 6, 12". */
export function divisorsOf(n: number): string {
  const small: number[] = [];
  const large: number[] = [];
  for (let d = 1; d * d <= n; d++) {
    if (n % d !== 0) continue;
    small.push(d);
    if (d * d !== n) large.unshift(n / d);
  }
  return [...small, ...large].join(', ');
}

/** The multiples of m just below and above n (the lower one omitted when it would be 0), e.g. "96 or 108". */
export function nearbyMultiples(n: number, m: number): string {
  const below = Math.floor(n / m) * m;
  const above = below + m;
  return below > 0 ? `${below} or ${above}` : String(above);
}
