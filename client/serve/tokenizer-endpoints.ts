/**
 * The tokenizer endpoints lm-evaluation-harness ≥ 0.4.9.2 probes for its `remote` tokenizer
 * backend (vLLM's shapes; docs/gpt-neox-reference.md §7.3): GET /tokenizer_info,
 * POST /tokenize {"prompt": str} → {"tokens"}, POST /detokenize {"tokens"} → {"prompt"}.
 */
import { invalidRequest } from './api-error';
import type { ServedModel } from './completions-handler';
import { type JsonBody, readBoolean, readString, rejectUnknownFields, shown } from './request-fields';

export function tokenizerInfo(served: ServedModel): object {
  const { tokenizer, maxContext } = served.model;
  return {
    eos_token: tokenizer.idToToken(tokenizer.eod) ?? null,
    eos_token_id: tokenizer.eod,
    bos_token: null,
    pad_token: null,
    model_max_length: maxContext,
    vocab_size: tokenizer.vocabSize,
    tokenizer_type: tokenizer.type,
  };
}

function checkModel(body: JsonBody, served: ServedModel): void {
  const name = readString(body, 'model');
  if (name !== null && name !== served.name) {
    throw invalidRequest(`The model '${name}' does not exist; this server serves '${served.name}' (see GET /v1/models).`, 'model', 'model_not_found');
  }
}

/** neox tokenizers add no special tokens to prompts, so add_special_tokens changes nothing. */
export function tokenize(body: JsonBody, served: ServedModel): object {
  rejectUnknownFields(body, ['prompt', 'add_special_tokens', 'model'], 'POST /tokenize');
  checkModel(body, served);
  readBoolean(body, 'add_special_tokens', false);
  const prompt = body['prompt'];
  if (typeof prompt !== 'string') throw invalidRequest(`Invalid 'prompt': expected a string, got ${shown(prompt)}.`, 'prompt', 'invalid_type');
  let tokens: number[];
  try {
    tokens = served.model.tokenizer.encode(prompt);
  } catch (error) {
    throw invalidRequest(`Invalid 'prompt': it cannot be tokenized (${(error as Error).message}); send valid Unicode text.`, 'prompt');
  }
  return { tokens, count: tokens.length, max_model_len: served.model.maxContext };
}

export function detokenize(body: JsonBody, served: ServedModel): object {
  rejectUnknownFields(body, ['tokens', 'model'], 'POST /detokenize');
  checkModel(body, served);
  const tokens = body['tokens'];
  const vocab = served.model.vocabSize;
  if (!Array.isArray(tokens) || tokens.some((id) => typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= vocab)) {
    throw invalidRequest(`Invalid 'tokens': expected a list of token ids (integers from 0 to ${vocab - 1}), got ${shown(tokens)}.`, 'tokens', 'invalid_value');
  }
  return { prompt: served.text.decode(tokens as number[]) };
}
