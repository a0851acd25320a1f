/**
 * padded_vocab_size (reference §1.7): the unpadded size (tokenizer_vocab_size if set, else what
 * tokenizer-vocab-size.ts can tell) rounded up to a multiple of make_vocab_size_divisible_by x
 * model_parallel_size. When the size cannot be determined both stay null and a warning names
 * the key to set.
 */
import type { RegistryValues } from './config-types';
import type { ResolveContext } from './resolve-context';
import { tokenizerVocabSize } from './tokenizer-vocab-size';

export function paddedVocabSize(vocabSize: number, divisibleBy: number, modelParallelSize: number): number {
  const multiple = divisibleBy * modelParallelSize;
  return Math.ceil(vocabSize / multiple) * multiple;
}

export function deriveVocabulary(config: RegistryValues, context: ResolveContext): void {
  let size = config.tokenizer_vocab_size;
  if (size === null) {
    const answer = tokenizerVocabSize(config.tokenizer_type, config.vocab_file);
    if (answer.size === null) {
      context.warn(`padded_vocab_size cannot be determined: ${answer.reason}; set tokenizer_vocab_size (e.g. 50277 for the GPT-NeoX-20B tokenizer of Pythia)`);
    }
    size = answer.size;
  }
  config.unpadded_vocab_size = size;
  config.padded_vocab_size = size === null ? null : paddedVocabSize(size, config.make_vocab_size_divisible_by, config.model_parallel_size);
}
