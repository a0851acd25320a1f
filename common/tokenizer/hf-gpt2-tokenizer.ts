/**
 * HFGPT2Tokenizer: what GPT-NeoX builds with transformers' GPT2TokenizerFast.from_pretrained
 * (vocab_file = a local directory; nothing is downloaded) plus add_special_tokens({"pad_token":
 * "<|padding|>"}). "<|endoftext|>" (GPT-2's unk/bos/eos) and "<|padding|>" are special tokens
 * matched in the text; eod is the eos id; vocabSize counts the added padding token; decoding keeps
 * special tokens (transformers' decode default).
 */
import { join } from 'node:path';

import { ConfigError } from '../errors';
import type { AddedToken } from './added-vocabulary';
import { buildByteLevelBpe, readMergesTxt, readVocabJson } from './byte-level-bpe-files';
import { loadTokenizerJson } from './hf-tokenizer-json';
import { exists, isDirectory } from './read-files';
import type { Tokenizer } from './tokenizer';

const special = (content: string): AddedToken => ({ content, singleWord: false, lstrip: false, rstrip: false, normalized: false, special: true });

export function loadHfGpt2Tokenizer(directory: string): Tokenizer {
  if (!isDirectory(directory)) {
    throw new ConfigError(`vocab_file ${directory} is not a directory; HFGPT2Tokenizer needs a directory holding tokenizer.json, or vocab.json and merges.txt`, 'vocab_file');
  }
  const eodToken = '<|endoftext|>';
  const extra = [special(eodToken), special('<|padding|>')];
  const tokenizerJson = join(directory, 'tokenizer.json');
  if (exists(tokenizerJson)) {
    return loadTokenizerJson(tokenizerJson, { type: 'HFGPT2Tokenizer', skipSpecialOnDecode: false, extraTokens: extra, eodToken });
  }
  const vocabFile = join(directory, 'vocab.json');
  const mergesFile = join(directory, 'merges.txt');
  const vocab = readVocabJson(vocabFile);
  const tokenizer = buildByteLevelBpe({
    type: 'HFGPT2Tokenizer',
    vocab,
    merges: readMergesTxt(mergesFile, 'hf'),
    mergesFile,
    addedTokens: extra,
    skipSpecialOnDecode: false,
    eod: () => tokenizer.tokenToId(eodToken)!,
  });
  return tokenizer;
}
