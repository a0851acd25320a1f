/**
 * Hugging Face pre-tokenizers (tokenizer.json "pre_tokenizer"): each splits a piece of text into
 * smaller pieces, in order, calling `emit` once per non-empty piece. `atStart` tells whether a
 * piece begins at offset 0 of the original text (Metaspace's prepend_scheme "first" needs it).
 *
 * Byte-level mapping is usually left to the model (it reads the UTF-8 bytes of raw pieces, which
 * keeps the word cache keyed by raw text); a ByteLevel step followed by other steps maps eagerly.
 */
import { toByteLevel } from './byte-level';
import { isWhitespaceCode } from './unicode-classes';

export type Emit = (piece: string, atStart: boolean) => void;

export interface PreTokenizer {
  split(text: string, atStart: boolean, emit: Emit): void;
}

/** How Split treats the matched delimiters (Hugging Face's SplitDelimiterBehavior). */
export type SplitBehavior = 'Removed' | 'Isolated' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous';

/** Matches of `re` (global) in `text` as Hugging Face's find_matches: [start, end, isMatch] spans covering text. */
export function regexSpans(re: RegExp, text: string): Array<[number, number, boolean]> {
  const spans: Array<[number, number, boolean]> = [];
  if (text.length === 0) return [[0, 0, false]];
  let prev = 0;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const start = m.index;
    const end = start + m[0].length;
    if (prev !== start) spans.push([prev, start, false]);
    spans.push([start, end, true]);
    prev = end;
    if (end === start) {
      if (start >= text.length) break;
      re.lastIndex = start + (text.codePointAt(start)! > 0xffff ? 2 : 1);
    }
  }
  if (prev !== text.length) spans.push([prev, text.length, false]);
  return spans;
}

/** Applies a split behavior to spans; returns the [start, end) ranges to keep. */
export function applyBehavior(spans: Array<[number, number, boolean]>, behavior: SplitBehavior): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  switch (behavior) {
    case 'Isolated':
      for (const [s, e] of spans) out.push([s, e]);
      return out;
    case 'Removed':
      for (const [s, e, m] of spans) if (!m) out.push([s, e]);
      return out;
    case 'Contiguous': {
      let previous = false;
      for (const [s, e, m] of spans) {
        if (m === previous && out.length > 0) out[out.length - 1]![1] = e;
        else out.push([s, e]);
        previous = m;
      }
      return out;
    }
    case 'MergedWithPrevious': {
      let previous = false;
      for (const [s, e, m] of spans) {
        if (m && !previous && out.length > 0) out[out.length - 1]![1] = e;
        else out.push([s, e]);
        previous = m;
      }
      return out;
    }
    case 'MergedWithNext': {
      let previous = false;
      for (let k = spans.length - 1; k >= 0; k--) {
        const [s, e, m] = spans[k]!;
        if (m && !previous && out.length > 0) out[out.length - 1]![0] = s;
        else out.push([s, e]);
        previous = m;
      }
      return out.reverse();
    }
  }
}

/** Split: a regex or literal pattern with a delimiter behavior, optionally inverted. */
export class SplitPreTokenizer implements PreTokenizer {
  constructor(
    private readonly re: RegExp,
    private readonly behavior: SplitBehavior,
    private readonly invert: boolean,
  ) {}

  split(text: string, atStart: boolean, emit: Emit): void {
    if (this.behavior === 'Isolated') {
      isolatedPieces(this.re, text, atStart, emit);
      return;
    }
    let spans = regexSpans(this.re, text);
    if (this.invert) spans = spans.map(([s, e, m]) => [s, e, !m]);
    for (const [s, e] of applyBehavior(spans, this.behavior)) if (e > s) emit(text.slice(s, e), atStart && s === 0);
  }
}

/** The hot loop: every match and every gap between matches becomes a piece. */
function isolatedPieces(re: RegExp, text: string, atStart: boolean, emit: Emit): void {
  let prev = 0;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const piece = m[0];
    const start = m.index;
    if (prev !== start) emit(text.slice(prev, start), atStart && prev === 0);
    if (piece.length === 0) {
      if (start >= text.length) break;
      re.lastIndex = start + (text.codePointAt(start)! > 0xffff ? 2 : 1);
      prev = start;
      continue;
    }
    emit(piece, atStart && start === 0);
    prev = start + piece.length;
  }
  if (prev < text.length) emit(prev === 0 ? text : text.slice(prev), atStart && prev === 0);
}

/** ByteLevel: optional prefix space, the GPT-2 regex, then (eagerly or in the model) byte mapping. */
export class ByteLevelPreTokenizer implements PreTokenizer {
  constructor(
    private readonly addPrefixSpace: boolean,
    private readonly re: RegExp | null,
    private readonly mapEagerly: boolean,
  ) {}

  split(text: string, atStart: boolean, emit: Emit): void {
    if (this.addPrefixSpace && text.length > 0 && text.charCodeAt(0) !== 0x20) text = ` ${text}`;
    const out: Emit = this.mapEagerly ? (p, a) => emit(toByteLevel(p), a) : emit;
    if (this.re === null) {
      if (text.length > 0) out(text, atStart);
    } else {
      isolatedPieces(this.re, text, atStart, out);
    }
  }
}

/** Metaspace: spaces become the replacement character, a prefix per prepend_scheme, split before each. */
export class MetaspacePreTokenizer implements PreTokenizer {
  constructor(
    private readonly replacement: string,
    private readonly prependScheme: 'always' | 'first' | 'never',
    private readonly splitPieces: boolean,
  ) {}

  split(text: string, atStart: boolean, emit: Emit): void {
    if (text.length === 0) return;
    const r = this.replacement;
    let s = text.includes(' ') ? text.replaceAll(' ', r) : text;
    if (!s.startsWith(r) && (this.prependScheme === 'always' || (this.prependScheme === 'first' && atStart))) s = r + s;
    if (!this.splitPieces) {
      emit(s, atStart);
      return;
    }
    let start = 0;
    let at = s.indexOf(r, 1);
    while (at >= 0) {
      emit(s.slice(start, at), atStart && start === 0);
      start = at;
      at = s.indexOf(r, at + r.length);
    }
    emit(s.slice(start), atStart && start === 0);
  }
}

const NUMERIC = /\p{N}/u;

/** Digits: numeric characters (Rust's char::is_numeric, any \p{N}) isolated one by one, or as runs. */
export class DigitsPreTokenizer implements PreTokenizer {
  constructor(private readonly individual: boolean) {}

  split(text: string, atStart: boolean, emit: Emit): void {
    // [start, end) of each numeric character, by code point
    const numericEnd = (k: number): number => {
      const c = text.charCodeAt(k);
      if (c < 0x80) return c >= 48 && c <= 57 ? k + 1 : -1;
      const cp = text.codePointAt(k)!;
      const width = cp > 0xffff ? 2 : 1;
      return NUMERIC.test(text.slice(k, k + width)) ? k + width : -1;
    };
    let start = 0;
    let k = 0;
    while (k < text.length) {
      let end = numericEnd(k);
      if (end < 0) {
        k += text.codePointAt(k)! > 0xffff ? 2 : 1;
        continue;
      }
      if (start < k) emit(text.slice(start, k), atStart && start === 0);
      while (!this.individual && end < text.length) {
        const next = numericEnd(end);
        if (next < 0) break;
        end = next;
      }
      emit(text.slice(k, end), atStart && k === 0);
      start = k = end;
    }
    if (start < text.length) emit(text.slice(start), atStart && start === 0);
  }
}

/** WhitespaceSplit: pieces are the runs of non-whitespace. */
export class WhitespaceSplitPreTokenizer implements PreTokenizer {
  split(text: string, atStart: boolean, emit: Emit): void {
    let k = 0;
    while (k < text.length) {
      while (k < text.length && isWhitespaceCode(text.charCodeAt(k))) k++;
      const start = k;
      while (k < text.length && !isWhitespaceCode(text.charCodeAt(k))) k++;
      if (k > start) emit(text.slice(start, k), atStart && start === 0);
    }
  }
}

/** Sequence: each step splits the pieces of the one before. */
export class SequencePreTokenizer implements PreTokenizer {
  constructor(private readonly steps: PreTokenizer[]) {}

  split(text: string, atStart: boolean, emit: Emit): void {
    this.run(0, text, atStart, emit);
  }

  private run(k: number, text: string, atStart: boolean, emit: Emit): void {
    if (k === this.steps.length - 1) {
      this.steps[k]!.split(text, atStart, emit);
      return;
    }
    this.steps[k]!.split(text, atStart, (piece, a) => this.run(k + 1, piece, a, emit));
  }
}

/** No pre-tokenizer: the whole text is one piece. */
export class WholePreTokenizer implements PreTokenizer {
  split(text: string, atStart: boolean, emit: Emit): void {
    if (text.length > 0) emit(text, atStart);
  }
}
