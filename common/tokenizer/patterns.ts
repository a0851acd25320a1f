/** Pre-tokenization patterns and their compilation to JS RegExps. */
import { FileError } from '../errors';
import { RegexSyntaxError } from './errors';
import { TRANSLATED_FLAGS, translateRegex, type RegexFlavor } from './regex-translate';

/** GPT-2's pre-tokenization pattern (also Hugging Face's ByteLevel pre-tokenizer and r50k/p50k). */
export const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

const compiled = new Map<string, string>();

/** A global RegExp matching what `pattern` matches in its own engine; errors name `file` and `key`. */
export function compilePattern(pattern: string, flavor: RegexFlavor, file: string, key: string): RegExp {
  const cacheKey = `${flavor}\u0000${pattern}`;
  let source = compiled.get(cacheKey);
  if (source === undefined) {
    try {
      source = translateRegex(pattern, flavor);
    } catch (error) {
      if (error instanceof RegexSyntaxError) throw new FileError(file, `${file}: ${key}: ${error.message}`, { cause: error });
      throw error;
    }
    compiled.set(cacheKey, source);
  }
  return new RegExp(source, `g${TRANSLATED_FLAGS}`);
}
