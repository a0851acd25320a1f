/**
 * CharLevelTokenizer as GPT-NeoX defines it: ids are the UTF-8 bytes of the text (numpy
 * fromstring(text, uint8)), vocabulary 512, eod 0 (pad 1); decoding turns each id into the
 * character chr(max(32, min(id, 512))), so only ASCII text round-trips.
 */
import type { Tokenizer } from './tokenizer';

const VOCAB_SIZE = 512;
const encoder = new TextEncoder();

export class CharLevelTokenizer implements Tokenizer {
  readonly type = 'CharLevelTokenizer';
  readonly vocabSize = VOCAB_SIZE;
  readonly eod = 0;

  encode(text: string): number[] {
    return Array.from(encoder.encode(text));
  }

  decode(ids: ArrayLike<number>): string {
    let out = '';
    for (let k = 0; k < ids.length; k++) out += String.fromCodePoint(Math.max(32, Math.min(ids[k]!, VOCAB_SIZE)));
    return out;
  }

  tokenToId(token: string): number | undefined {
    const cp = token.codePointAt(0);
    return cp !== undefined && token.length === 1 && cp >= 32 && cp < VOCAB_SIZE ? cp : undefined;
  }

  idToToken(id: number): string | undefined {
    return Number.isInteger(id) && id >= 0 && id < VOCAB_SIZE ? String.fromCodePoint(Math.max(32, id)) : undefined;
  }
}
