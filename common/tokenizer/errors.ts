/**
 * Tokenizer errors. Loading problems are `FileError`/`ConfigError` (common/errors.ts), which name
 * the file and key; these two cover what only the tokenizer package can say.
 */
import { NeoxError } from '../errors';

/** A regular expression (from tokenizer.json or an encoding) uses a construct neox cannot run. */
export class RegexSyntaxError extends NeoxError {
  readonly pattern: string;
  constructor(pattern: string, message: string) {
    super('TOKENIZER_REGEX', message);
    this.pattern = pattern;
  }
}

/** Text a tokenizer refuses to encode (tiktoken: special-token text without allowing it). */
export class TokenizerInputError extends NeoxError {
  constructor(message: string) {
    super('TOKENIZER_INPUT', message);
  }
}
