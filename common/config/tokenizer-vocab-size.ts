/**
 * The unpadded vocabulary size of a tokenizer, without building it (reference §1.7):
 * GPT2BPETokenizer has 50257 entries, CharLevelTokenizer 512, and an HFTokenizer's tokenizer.json
 * holds model.vocab plus the added_tokens that are not already in it (what the Hugging Face
 * library's get_vocab_size() counts). Other kinds are only known once loaded.
 */
import { existsSync, readFileSync } from 'node:fs';

import { ConfigError } from '../errors';

export type VocabSizeAnswer = { size: number; reason?: undefined } | { size: null; reason: string };

const FIXED_SIZES: Record<string, number> = {
  GPT2BPETokenizer: 50257,
  CharLevelTokenizer: 512,
};

/** Distinct token strings of a tokenizer.json: model.vocab (a map, or [piece, score] pairs) plus added tokens. */
export function countTokenizerJson(path: string, text: string): number {
  let json: { model?: { vocab?: unknown }; added_tokens?: unknown };
  try {
    json = JSON.parse(text) as typeof json;
  } catch (error) {
    throw new ConfigError(`vocab_file '${path}' is not valid JSON (${(error as Error).message}); point vocab_file at a Hugging Face tokenizer.json`, 'vocab_file');
  }
  const vocab = json.model?.vocab;
  let tokens: Set<string>;
  if (Array.isArray(vocab)) tokens = new Set(vocab.map((entry) => String((entry as unknown[])[0])));
  else if (typeof vocab === 'object' && vocab !== null) tokens = new Set(Object.keys(vocab));
  else throw new ConfigError(`vocab_file '${path}' has no model.vocab; point vocab_file at a Hugging Face tokenizer.json`, 'vocab_file');
  const added = Array.isArray(json.added_tokens) ? json.added_tokens : [];
  for (const token of added) {
    const content = (token as { content?: unknown }).content;
    if (typeof content === 'string') tokens.add(content);
  }
  return tokens.size;
}

/** The size for `tokenizer_type`, reading `vocab_file` (relative to the current directory) when needed. */
export function tokenizerVocabSize(tokenizerType: string, vocabFile: string | null): VocabSizeAnswer {
  const fixed = FIXED_SIZES[tokenizerType];
  if (fixed !== undefined) return { size: fixed };
  if (tokenizerType !== 'HFTokenizer') {
    return { size: null, reason: `the vocabulary size of a ${tokenizerType} is only known once the tokenizer is loaded` };
  }
  if (vocabFile === null) return { size: null, reason: 'HFTokenizer needs vocab_file (a tokenizer.json) and none is set' };
  if (!existsSync(vocabFile)) return { size: null, reason: `vocab_file '${vocabFile}' does not exist here` };
  return { size: countTokenizerJson(vocabFile, readFileSync(vocabFile, 'utf8')) };
}
