/** Character classes as Rust defines them (tokenizers is Rust): White_Space and `\w`. */

/** Rust's char::is_whitespace / regex `\s` (the Unicode White_Space property). */
export function isWhitespaceCode(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0x85 || c === 0xa0 || c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

const WORD_CHAR = /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]/u;

/** Rust regex `\w` for the code point at the start of `s` (false for ""). */
export function startsWithWordChar(s: string): boolean {
  if (s.length === 0) return false;
  return WORD_CHAR.test(String.fromCodePoint(s.codePointAt(0)!));
}

/** Rust regex `\w` for the last code point of `s` (false for ""). */
export function endsWithWordChar(s: string): boolean {
  if (s.length === 0) return false;
  const last = s.charCodeAt(s.length - 1);
  const ch = last >= 0xdc00 && last <= 0xdfff && s.length > 1 ? s.slice(-2) : s.slice(-1);
  return WORD_CHAR.test(ch);
}

/** Index where the run of whitespace ending `s` starts (s.length when none). */
export function trailingWhitespaceStart(s: string): number {
  let i = s.length;
  while (i > 0 && isWhitespaceCode(s.charCodeAt(i - 1))) i--;
  return i;
}

/** Length of the run of whitespace starting `s` at `from`. */
export function leadingWhitespaceLength(s: string, from = 0): number {
  let i = from;
  while (i < s.length && isWhitespaceCode(s.charCodeAt(i))) i++;
  return i - from;
}
