/**
 * The `prompt` parameter as token-id lists: a string, a list of strings, a list of token ids, or a
 * list of token-id lists (what lm-evaluation-harness sends). Strings are encoded with the model's
 * tokenizer without special tokens; ids must lie in the model's vocabulary.
 */
import type { Tokenizer } from '../../common/tokenizer';
import { invalidRequest } from './api-error';
import { shown } from './request-fields';

const FORMS = 'a string, a list of strings, a list of token ids, or a list of token-id lists';

export function readPrompts(value: unknown, tokenizer: Tokenizer, vocabSize: number): Int32Array[] {
  if (value === undefined || value === null) {
    throw invalidRequest(`Missing required parameter 'prompt': send ${FORMS}.`, 'prompt', 'missing_required_parameter');
  }
  if (typeof value === 'string') return [encode(tokenizer, value, 'prompt')];
  if (!Array.isArray(value)) throw invalidRequest(`Invalid 'prompt': expected ${FORMS}, got ${shown(value)}.`, 'prompt', 'invalid_type');
  if (value.length === 0) throw invalidRequest(`Invalid 'prompt': the list is empty; send at least one prompt ("" is an empty prompt).`, 'prompt');
  const first = value[0];
  if (typeof first === 'number') return [tokenIds(value, vocabSize, 'prompt')];
  return value.map((item: unknown, i) => {
    if (typeof item === 'string' && typeof first === 'string') return encode(tokenizer, item, `prompt[${i}]`);
    if (Array.isArray(item) && typeof first !== 'string') return tokenIds(item, vocabSize, `prompt[${i}]`);
    throw invalidRequest(`Invalid 'prompt': prompt[${i}] is ${shown(item)} but prompt[0] is ${shown(first)}; send ${FORMS}, not a mix.`, 'prompt', 'invalid_type');
  });
}

function encode(tokenizer: Tokenizer, text: string, where: string): Int32Array {
  try {
    return Int32Array.from(tokenizer.encode(text));
  } catch (error) {
    throw invalidRequest(`Invalid 'prompt': ${where} cannot be tokenized (${(error as Error).message}); send valid Unicode text or token ids.`, 'prompt');
  }
}

function tokenIds(list: unknown[], vocabSize: number, where: string): Int32Array {
  const ids = new Int32Array(list.length);
  for (let k = 0; k < list.length; k++) {
    const id = list[k];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw invalidRequest(`Invalid 'prompt': ${where}[${k}] = ${shown(id)} is not a token id; ids are integers from 0 to ${vocabSize - 1}.`, 'prompt', 'invalid_value');
    }
    ids[k] = id;
  }
  return ids;
}
