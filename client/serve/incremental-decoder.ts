/**
 * Turns a token stream into text piece by piece, so each token's character offset is known and
 * streamed text never shows half a character. Each step decodes only a short window of recent
 * tokens (so the cost per token is constant) and emits what the new token adds to the window's
 * text; a token whose bytes end inside a UTF-8 character waits for the next one. Decoding with the
 * previous tokens as context keeps boundary effects right (a leading-space marker after the
 * prompt, a character split across the prompt's end).
 */
import type { TokenText } from './token-text';

/** Emitted tokens kept as decoding context. */
const CONTEXT_TOKENS = 4;
/** A character is never spread over more tokens than this (UTF-8 has at most 4 bytes). */
const MAX_PENDING = 8;

export class IncrementalDecoder {
  /** Tokens from the window start on: up to 2·CONTEXT_TOKENS emitted ones, then pending ones. */
  private window: number[];
  /** How many of `window` have had their text emitted. */
  private emitted: number;
  /** decode(window[0..emitted)). */
  private emittedText: string;
  /** Everything emitted so far. */
  text = '';

  /** `context`: tokens before the first pushed one, whose text is not part of this decoder's. */
  constructor(
    private readonly tokens: TokenText,
    context: ArrayLike<number> = [],
  ) {
    this.window = Array.from(context).slice(-CONTEXT_TOKENS);
    this.emitted = this.window.length;
    this.emittedText = tokens.decode(this.window);
  }

  /** Adds one token; returns the text it completes ('' while a character is still incomplete). */
  push(id: number): string {
    this.window.push(id);
    const full = this.tokens.decode(this.window);
    if (full.endsWith('\uFFFD') && this.window.length - this.emitted < MAX_PENDING) return '';
    return this.emit(full);
  }

  /** Emits what is still pending, an incomplete character included (as U+FFFD). */
  flush(): string {
    return this.emitted === this.window.length ? '' : this.emit(this.tokens.decode(this.window));
  }

  private emit(full: string): string {
    const piece = full.length > this.emittedText.length ? full.slice(this.emittedText.length) : '';
    this.text += piece;
    if (this.window.length >= 2 * CONTEXT_TOKENS) {
      this.window = this.window.slice(-CONTEXT_TOKENS);
      this.emittedText = this.tokens.decode(this.window);
    } else {
      this.emittedText = full;
    }
    this.emitted = this.window.length;
    return piece;
  }
}
