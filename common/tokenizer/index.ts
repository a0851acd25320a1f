/**
 * createTokenizer: the tokenizer a GPT-NeoX config names (`tokenizer_type`, `vocab_file`,
 * `merge_file`), with GPT-NeoX's type names (matched case-insensitively, as GPT-NeoX does).
 */
import { ConfigError } from '../errors';
import { CharLevelTokenizer } from './char-level-tokenizer';
import { loadGpt2BpeTokenizer } from './gpt2-bpe-tokenizer';
import { loadHfGpt2Tokenizer } from './hf-gpt2-tokenizer';
import { loadTokenizerJson } from './hf-tokenizer-json';
import { TiktokenTokenizer } from './tiktoken-tokenizer';
import type { Tokenizer, TokenizerSpec } from './tokenizer';

export type { Tokenizer, TokenizerSpec } from './tokenizer';
export { RegexSyntaxError, TokenizerInputError } from './errors';

const TYPES = ['GPT2BPETokenizer', 'HFTokenizer', 'HFGPT2Tokenizer', 'CharLevelTokenizer', 'TiktokenTokenizer'];

function required(spec: TokenizerSpec, key: 'vocab_file' | 'merge_file', what: string): string {
  const value = spec[key];
  if (value === null || value === undefined || value === '') {
    throw new ConfigError(`${key} is not set; ${spec.tokenizer_type} needs it (${what})`, key);
  }
  return value;
}

export function createTokenizer(spec: TokenizerSpec): Tokenizer {
  switch (String(spec.tokenizer_type).toLowerCase()) {
    case 'gpt2bpetokenizer':
      return loadGpt2BpeTokenizer(
        required(spec, 'vocab_file', "GPT-2's vocab.json"),
        required(spec, 'merge_file', "GPT-2's merges.txt"),
      );
    case 'hftokenizer':
      return loadTokenizerJson(required(spec, 'vocab_file', 'a Hugging Face tokenizer.json'), {
        type: 'HFTokenizer',
        skipSpecialOnDecode: true,
        eodToken: '<|endoftext|>',
      });
    case 'hfgpt2tokenizer':
      return loadHfGpt2Tokenizer(required(spec, 'vocab_file', 'a local directory with vocab.json and merges.txt; neox downloads nothing'));
    case 'charleveltokenizer':
      return new CharLevelTokenizer();
    case 'tiktokentokenizer':
      return new TiktokenTokenizer(required(spec, 'vocab_file', 'a tiktoken encoding name such as cl100k_base, or a .tiktoken file'));
    case 'spmtokenizer':
      throw new ConfigError(`tokenizer_type SPMTokenizer (a SentencePiece .model) is not supported by neox; convert the model to a tokenizer.json and use HFTokenizer`, 'tokenizer_type');
    default:
      throw new ConfigError(`tokenizer_type ${JSON.stringify(spec.tokenizer_type)} is unknown; use one of ${TYPES.join(', ')}`, 'tokenizer_type');
  }
}
