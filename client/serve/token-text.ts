/**
 * Text of token ids for the API: the display string of one token (the `tokens` entries and the
 * `top_logprobs` keys), and a safe decode that never throws on ids outside the tokenizer (padded
 * vocabulary rows, tokenizers that reject unknown ids).
 */
import type { Tokenizer } from '../../common/tokenizer';

export class TokenText {
  private readonly cache = new Map<number, string>();

  constructor(private readonly tokenizer: Tokenizer) {}

  /** decode(ids) with ids the tokenizer does not know left out. */
  decode(ids: ArrayLike<number>): string {
    try {
      return this.tokenizer.decode(ids);
    } catch {
      const known: number[] = [];
      for (let k = 0; k < ids.length; k++) {
        try {
          this.tokenizer.decode([ids[k]!]);
          known.push(ids[k]!);
        } catch {
          // an id outside the tokenizer has no text
        }
      }
      return this.tokenizer.decode(known);
    }
  }

  /**
   * One token as a string: its decoded text; where that is empty or not whole characters (a
   * special token skipped by decode, part of a UTF-8 sequence) the vocabulary entry instead, and
   * for an id outside the tokenizer `<|id:N|>`. Distinct ids then rarely share a string.
   */
  piece(id: number): string {
    let text = this.cache.get(id);
    if (text === undefined) {
      text = this.decode([id]);
      if (text === '' || text.includes('\uFFFD')) text = safeIdToToken(this.tokenizer, id) ?? `<|id:${id}|>`;
      this.cache.set(id, text);
    }
    return text;
  }
}

function safeIdToToken(tokenizer: Tokenizer, id: number): string | undefined {
  try {
    return tokenizer.idToToken(id);
  } catch {
    return undefined;
  }
}
