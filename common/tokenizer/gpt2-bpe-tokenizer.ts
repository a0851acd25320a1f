/**
 * GPT2BPETokenizer: GPT-NeoX's own GPT-2 tokenizer (megatron/tokenizer/gpt2_tokenization.py) over
 * vocab.json + merges.txt. Special-token text such as "<|endoftext|>" is encoded as ordinary text
 * (it is given no special tokens); eod is the id of "<|endoftext|>" in vocab.json (50256 for GPT-2);
 * vocabSize is the number of vocab.json entries.
 */
import { FileError } from '../errors';
import { buildByteLevelBpe, readMergesTxt, readVocabJson } from './byte-level-bpe-files';
import type { Tokenizer } from './tokenizer';

export function loadGpt2BpeTokenizer(vocabFile: string, mergeFile: string): Tokenizer {
  const vocab = readVocabJson(vocabFile);
  const eod = vocab.get('<|endoftext|>');
  if (eod === undefined) {
    throw new FileError(vocabFile, `vocab.json ${vocabFile} has no "<|endoftext|>" entry, which GPT2BPETokenizer uses as the end-of-document id; use GPT-2's vocab.json or add the entry`);
  }
  return buildByteLevelBpe({
    type: 'GPT2BPETokenizer',
    vocab,
    merges: readMergesTxt(mergeFile, 'neox'),
    mergesFile: mergeFile,
    addedTokens: [],
    skipSpecialOnDecode: false,
    eod,
  });
}
