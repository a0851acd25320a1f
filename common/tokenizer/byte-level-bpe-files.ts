/**
 * Byte-level BPE from GPT-2's two files, vocab.json (token → id) and merges.txt (one "a b" pair
 * per line, rank = line order): the GPT2BPETokenizer and HFGPT2Tokenizer formats.
 */
import { AddedVocabulary, type AddedToken } from './added-vocabulary';
import { BpeModel } from './bpe-model';
import { byteLevelDecoder } from './decoders';
import { FileError } from '../errors';
import { compilePattern, GPT2_PATTERN } from './patterns';
import { PipelineTokenizer } from './pipeline-tokenizer';
import { ByteLevelPreTokenizer } from './pre-tokenizers';
import { readJson, readText } from './read-files';

export function readVocabJson(path: string): Map<string, number> {
  const data = readJson(path, 'vocab.json');
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new FileError(path, `vocab.json ${path} must be a JSON object of token → id; point vocab_file at GPT-2's vocab.json`);
  }
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(data)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new FileError(path, `vocab.json ${path}: the id of ${JSON.stringify(token)} is ${JSON.stringify(id)}, not a non-negative integer; fix or regenerate the file`);
    }
    vocab.set(token, id);
  }
  return vocab;
}

/**
 * The merges of merges.txt. `neox` reads as GPT-NeoX's gpt2_tokenization.py does: the first line
 * (the "#version" header) and the last line (empty after the final newline) are dropped, pairs
 * split on whitespace. `hf` reads as Hugging Face does: "#version" lines skipped, every other
 * non-empty line split on one space.
 */
export function readMergesTxt(path: string, style: 'neox' | 'hf'): Array<[string, string]> {
  const text = readText(path, 'merges.txt');
  let lines = text.split('\n');
  lines = style === 'neox' ? lines.slice(1, -1) : lines.filter((l) => l.length > 0 && !l.startsWith('#version'));
  return lines.map((line, k) => {
    const parts = style === 'neox' ? line.split(/\s+/).filter((p) => p.length > 0) : line.split(' ');
    if (parts.length !== 2) {
      const lineNumber = style === 'neox' ? k + 2 : k + 1;
      throw new FileError(path, `merges.txt ${path}: line ${lineNumber} ${JSON.stringify(line)} is not two tokens separated by a space; use GPT-2's merges.txt format`);
    }
    return [parts[0]!, parts[1]!];
  });
}

export interface ByteLevelBpeOptions {
  type: string;
  vocab: Map<string, number>;
  merges: Array<[string, string]>;
  mergesFile: string;
  addedTokens: AddedToken[];
  skipSpecialOnDecode: boolean;
  eod: number | (() => number);
}

/** GPT-2's pipeline: the GPT-2 regex, byte-level BPE, byte-level decoding. */
export function buildByteLevelBpe(options: ByteLevelBpeOptions): PipelineTokenizer {
  const model = new BpeModel({
    vocab: options.vocab,
    merges: options.merges,
    unkToken: null,
    fuseUnk: false,
    byteFallback: false,
    ignoreMerges: false,
    continuingSubwordPrefix: null,
    endOfWordSuffix: null,
    byteLevel: true,
    source: options.mergesFile,
  });
  const added = new AddedVocabulary(options.addedTokens, { tokenToId: (t) => model.vocab.get(t), vocabSize: model.vocabSize }, null);
  return new PipelineTokenizer({
    type: options.type,
    model,
    added,
    normalizer: null,
    preTokenizer: new ByteLevelPreTokenizer(false, compilePattern(GPT2_PATTERN, 'onig', options.mergesFile, 'GPT-2 pattern'), false),
    postProcessor: null,
    decoder: byteLevelDecoder,
    skipSpecialOnDecode: options.skipSpecialOnDecode,
    eod: options.eod,
  });
}
