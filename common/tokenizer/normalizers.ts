/**
 * Hugging Face normalizers (tokenizer.json "normalizer"), as string → string functions. They run
 * on each stretch of text between added tokens, as Hugging Face does.
 */
import { toByteLevel } from './byte-level';
import { isWhitespaceCode } from './unicode-classes';

export type Normalizer = (text: string) => string;

export function unicodeNormalizer(form: 'NFC' | 'NFD' | 'NFKC' | 'NFKD'): Normalizer {
  return (text) => text.normalize(form);
}

/**
 * Lowercase, one character at a time as Rust's char::to_lowercase: no final-sigma rule, so "Σ" is
 * always "σ" (String.prototype.toLowerCase would give "ς" at a word's end).
 */
export const lowercase: Normalizer = (text) => {
  if (!text.includes('\u03a3')) return text.toLowerCase();
  let out = '';
  for (const ch of text) out += ch === '\u03a3' ? '\u03c3' : ch.toLowerCase();
  return out;
};

export function strip(left: boolean, right: boolean): Normalizer {
  return (text) => {
    let start = 0;
    let end = text.length;
    if (left) while (start < end && isWhitespaceCode(text.charCodeAt(start))) start++;
    if (right) while (end > start && isWhitespaceCode(text.charCodeAt(end - 1))) end--;
    return text.slice(start, end);
  };
}

/** Replace every match of `pattern` (a global RegExp) with the literal `content`. */
export function replace(pattern: RegExp, content: string): Normalizer {
  return (text) => text.replace(pattern, () => content);
}

export function prepend(prefix: string): Normalizer {
  return (text) => (text.length === 0 ? text : prefix + text);
}

export const byteLevelNormalizer: Normalizer = toByteLevel;

export function sequence(normalizers: Normalizer[]): Normalizer {
  if (normalizers.length === 1) return normalizers[0]!;
  return (text) => {
    for (const n of normalizers) text = n(text);
    return text;
  };
}
