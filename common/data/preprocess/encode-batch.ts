/**
 * Turns one batch of jsonl lines into token arrays, one per jsonl key, as GPT-NeoX's
 * preprocess_data.py does per document: tokenize the whole text, optionally append EOD, drop
 * empty texts. Lines that are not JSON objects with string values are reported by line number.
 */
import type { Tokenizer } from '../../tokenizer/tokenizer';
import { maxTokenId, TokenDType } from '../dtypes';

export interface EncodeSettings {
  keys: readonly string[];
  appendEod: boolean;
  dtype: TokenDType;
  /** Stop at the first invalid line (its report is the last entry of `invalid`). */
  stopOnInvalid: boolean;
}

export interface KeyTokens {
  /** Tokens of every kept document, concatenated, encoded in the dataset dtype (little-endian). */
  tokens: Uint8Array;
  /** Tokens per kept document (0: text that tokenized to nothing, kept as GPT-NeoX keeps it). */
  sizes: Int32Array;
  /** Documents dropped because their text was empty. */
  empty: number;
}

export interface InvalidLine {
  /** 0-based line number inside the batch. */
  line: number;
  reason: string;
}

export interface EncodedBatch {
  /** Lines in the batch (a final line without newline counts). */
  lines: number;
  /** Bytes of text in the batch. */
  bytes: number;
  /** Lines that were blank (whitespace only); skipped silently. */
  blank: number;
  keys: KeyTokens[];
  invalid: InvalidLine[];
}

const decoder = new TextDecoder('utf-8', { fatal: true });

class GrowingTokens {
  private values: Uint16Array | Int32Array;
  private used = 0;
  private readonly max: number;

  constructor(private readonly dtype: TokenDType, capacity: number) {
    if (dtype !== 'uint16' && dtype !== 'int32') throw new RangeError(`preprocessing writes uint16 or int32 tokens, not ${dtype}`);
    this.max = maxTokenId(dtype);
    this.values = this.allocate(Math.max(64, Math.ceil(capacity)));
  }

  private allocate(length: number): Uint16Array | Int32Array {
    return this.dtype === 'uint16' ? new Uint16Array(length) : new Int32Array(length);
  }

  push(ids: readonly number[]): void {
    const need = this.used + ids.length;
    if (need > this.values.length) {
      const grown = this.allocate(Math.max(need, 2 * this.values.length));
      grown.set(this.values.subarray(0, this.used));
      this.values = grown;
    }
    const values = this.values;
    const max = this.max;
    let at = this.used;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      // Integers in range only (NaN and fractions fail one of the two tests).
      if (!(id >= 0 && id <= max && (id | 0) === id)) {
        throw new RangeError(`the tokenizer produced id ${id}, which does not fit the dataset dtype ${this.dtype} (0..${max})`);
      }
      values[at++] = id;
    }
    this.used = at;
  }

  /** The tokens as little-endian bytes in a buffer of their own. */
  result(): Uint8Array {
    const used = this.values.slice(0, this.used);
    return new Uint8Array(used.buffer);
  }
}

/** The lines of a batch; a line that is not valid UTF-8 is null. */
function splitLines(bytes: Uint8Array): Array<string | null> {
  let lines: Array<string | null>;
  try {
    lines = decoder.decode(bytes).split('\n');
  } catch {
    lines = [];
    for (let start = 0; start <= bytes.length;) {
      let end = bytes.indexOf(10, start);
      if (end < 0) end = bytes.length;
      try {
        lines.push(decoder.decode(bytes.subarray(start, end)));
      } catch {
        lines.push(null);
      }
      start = end + 1;
    }
  }
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The text of `key` in a parsed line, or an error message. */
function textOf(document: unknown, key: string): string | { error: string } {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return { error: `expected a JSON object, got ${Array.isArray(document) ? 'an array' : document === null ? 'null' : typeof document}` };
  }
  const value = (document as Record<string, unknown>)[key];
  if (typeof value === 'string') return value;
  // lm_dataformat joins a list of paragraphs with blank lines.
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join('\n\n');
  if (value === undefined) return { error: `no key "${key}" (keys: ${Object.keys(document).slice(0, 8).join(', ') || 'none'})` };
  return { error: `key "${key}" holds ${value === null ? 'null' : Array.isArray(value) ? 'a non-string array' : `a ${typeof value}`}, expected a string` };
}

/** The text of every key in one jsonl line, or why the line is invalid. */
function textsOf(line: string, keys: readonly string[]): string[] | { error: string } {
  let document: unknown;
  try {
    document = JSON.parse(line);
  } catch (e) {
    return { error: `malformed JSON (${(e as Error).message})` };
  }
  const texts: string[] = [];
  for (const key of keys) {
    const text = textOf(document, key);
    if (typeof text !== 'string') return text;
    texts.push(text);
  }
  return texts;
}

export function encodeBatch(bytes: Uint8Array, settings: EncodeSettings, tokenizer: Tokenizer): EncodedBatch {
  const lines = splitLines(bytes);
  const outputs = settings.keys.map(() => ({ tokens: new GrowingTokens(settings.dtype, bytes.length / 3), sizes: [] as number[], empty: 0 }));
  const invalid: InvalidLine[] = [];
  let blank = 0;
  const eod = settings.appendEod ? [tokenizer.eod] : null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === null) {
      invalid.push({ line: i, reason: 'invalid UTF-8' });
      if (settings.stopOnInvalid) break;
      continue;
    }
    if (line.trim() === '') {
      blank++;
      continue;
    }
    const texts = textsOf(line, settings.keys);
    if (!Array.isArray(texts)) {
      invalid.push({ line: i, reason: texts.error });
      if (settings.stopOnInvalid) break;
      continue;
    }
    for (let k = 0; k < texts.length; k++) {
      const out = outputs[k]!;
      if (texts[k]!.length === 0) {
        out.empty++;
        continue;
      }
      const ids = tokenizer.encode(texts[k]!);
      out.tokens.push(ids);
      if (eod) out.tokens.push(eod);
      out.sizes.push(ids.length + (eod ? 1 : 0));
    }
  }
  return {
    lines: lines.length,
    bytes: bytes.length,
    blank,
    keys: outputs.map((o) => ({ tokens: o.tokens.result(), sizes: Int32Array.from(o.sizes), empty: o.empty })),
    invalid,
  };
}
