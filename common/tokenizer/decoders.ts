/**
 * Hugging Face decoders (tokenizer.json "decoder"): each maps the list of token strings to a new
 * list (decode_chain); the text is the concatenation of the last list.
 */
import { CHAR_CODE_TO_BYTE, decodeUtf8Lossy } from './byte-level';

export type Decoder = (tokens: string[]) => string[];

const encoder = new TextEncoder();

/** ByteLevel: tokens back to bytes (a token with a character outside the alphabet keeps its UTF-8), then lossy UTF-8. */
export const byteLevelDecoder: Decoder = (tokens) => {
  let total = 0;
  for (const t of tokens) total += t.length * 3;
  const bytes = new Uint8Array(total);
  let n = 0;
  for (const t of tokens) {
    let ok = true;
    const start = n;
    for (let k = 0; k < t.length; k++) {
      const c = t.charCodeAt(k);
      const b = c < 512 ? CHAR_CODE_TO_BYTE[c]! : -1;
      if (b < 0) {
        ok = false;
        break;
      }
      bytes[n++] = b;
    }
    if (!ok) {
      n = start;
      const raw = encoder.encode(t);
      bytes.set(raw, n);
      n += raw.length;
    }
  }
  return [decodeUtf8Lossy(bytes.subarray(0, n))];
};

/** Metaspace: the replacement becomes a space; in the first token it is dropped (unless prepend_scheme is never). */
export function metaspaceDecoder(replacement: string, prependScheme: string): Decoder {
  return (tokens) =>
    tokens.map((t, i) => t.split(replacement).join(i === 0 && prependScheme !== 'never' ? '' : ' '));
}

export function replaceDecoder(pattern: RegExp, content: string): Decoder {
  return (tokens) => tokens.map((t) => t.replace(pattern, () => content));
}

const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2}|\+[0-9A-Fa-f])>$/;
const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** ByteFallback: runs of <0xHH> tokens become their UTF-8 text, or one U+FFFD per byte when invalid. */
export const byteFallbackDecoder: Decoder = (tokens) => {
  const out: string[] = [];
  let pending: number[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    try {
      out.push(fatalDecoder.decode(Uint8Array.from(pending)));
    } catch {
      for (let k = 0; k < pending.length; k++) out.push('\ufffd');
    }
    pending = [];
  };
  for (const t of tokens) {
    const m = t.length === 6 ? BYTE_TOKEN.exec(t) : null;
    if (m) {
      pending.push(parseInt(m[1]!.replace('+', ''), 16));
    } else {
      flush();
      out.push(t);
    }
  }
  flush();
  return out;
};

export const fuseDecoder: Decoder = (tokens) => [tokens.join('')];

/** Strip: up to `start` leading and `stop` trailing `content` characters of each token. */
export function stripDecoder(content: string, start: number, stop: number): Decoder {
  return (tokens) =>
    tokens.map((t) => {
      const chars = Array.from(t);
      let from = 0;
      while (from < start && from < chars.length && chars[from] === content) from++;
      let to = chars.length;
      while (chars.length - to < stop && to > 0 && chars[to - 1] === content) to--;
      return chars.slice(from, Math.max(from, to)).join('');
    });
}

export function sequenceDecoder(decoders: Decoder[]): Decoder {
  return (tokens) => decoders.reduce((acc, d) => d(acc), tokens);
}
