/**
 * POST /v1/completions: the request body checked and turned into what the server runs. Follows
 * OpenAI's legacy completions API (defaults: max_tokens 16, temperature 1, top_p 1, n 1) plus
 * `top_k`; see README.md for the table. Anything unknown or unsupported is a 400, never ignored.
 */
import { invalidRequest } from './api-error';
import type { LanguageModel } from './language-model';
import { readPrompts } from './prompt-tokens';
import { type JsonBody, readBoolean, readInteger, readNumber, readString, rejectUnknownFields, requireOff, shown } from './request-fields';
import type { SamplingParams } from './sampler';

export const ROUTE = 'POST /v1/completions';
export const MAX_LOGPROBS = 20;
const MAX_STOP_STRINGS = 64;

const FIELDS = [
  'model', 'prompt', 'max_tokens', 'echo', 'logprobs', 'temperature', 'top_p', 'top_k', 'seed', 'stop',
  'n', 'stream', 'stream_options', 'best_of', 'presence_penalty', 'frequency_penalty', 'logit_bias', 'user', 'suffix',
] as const;

export interface CompletionRequest {
  model: string;
  /** One token list per prompt; an empty one means "start from end-of-document". */
  prompts: Int32Array[];
  maxTokens: number;
  echo: boolean;
  /** null: no logprobs object; k: each position lists the top-k alternatives (and the chosen token). */
  logprobs: number | null;
  sampling: SamplingParams;
  seed: number | null;
  stop: string[];
  /** Choices per prompt; choice index = prompt index · n + j. */
  n: number;
  stream: boolean;
  includeUsage: boolean;
}

export function parseCompletionRequest(body: JsonBody, modelName: string, model: LanguageModel): CompletionRequest {
  rejectUnknownFields(body, FIELDS, ROUTE);
  const name = readString(body, 'model') ?? modelName;
  if (name !== modelName) {
    throw invalidRequest(`The model '${name}' does not exist; this server serves '${modelName}' (see GET /v1/models).`, 'model', 'model_not_found');
  }
  const maxTokens = readInteger(body, 'max_tokens', 16, { min: 0, hint: '0 generates nothing (with echo, the prompt is scored)' });
  const n = readInteger(body, 'n', 1, { min: 1, max: 128 });
  requireOff(body, 'best_of', (v) => v === n, 'leave it out or set it equal to n');
  requireOff(body, 'presence_penalty', (v) => v === 0, 'leave it out or send 0');
  requireOff(body, 'frequency_penalty', (v) => v === 0, 'leave it out or send 0');
  requireOff(body, 'logit_bias', (v) => typeof v === 'object' && v !== null && Object.keys(v).length === 0, 'leave it out or send {}');
  requireOff(body, 'suffix', (v) => v === '', 'leave it out');
  readString(body, 'user'); // accepted for compatibility, not used
  const stream = readBoolean(body, 'stream', false);
  const request: CompletionRequest = {
    model: name,
    prompts: readPrompts(body['prompt'], model.tokenizer, model.vocabSize),
    maxTokens,
    echo: readBoolean(body, 'echo', false),
    logprobs: readInteger(body, 'logprobs', null, { min: 0, max: MAX_LOGPROBS, hint: 'it is how many alternatives each position lists' }),
    sampling: {
      temperature: readNumber(body, 'temperature', 1, { min: 0, hint: '0 is greedy' }),
      topP: readNumber(body, 'top_p', 1, { min: 0, max: 1, hint: '1 keeps every token' }),
      topK: readTopK(body),
    },
    seed: readInteger(body, 'seed', null, { min: -(2 ** 53) + 1 }),
    stop: readStop(body['stop']),
    n,
    stream,
    includeUsage: readStreamOptions(body['stream_options'], stream),
  };
  checkContext(request, model.maxContext);
  return request;
}

/** top_k: 0 (or -1, vLLM's spelling) is off. */
function readTopK(body: JsonBody): number {
  const k = readInteger(body, 'top_k', 0, { min: -1, hint: '0 or -1 keeps every token' });
  return k === -1 ? 0 : k;
}

function readStop(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string')) {
    throw invalidRequest(`Invalid 'stop': expected a string or a list of strings, got ${shown(value)}.`, 'stop', 'invalid_type');
  }
  if (list.length > MAX_STOP_STRINGS) throw invalidRequest(`Invalid 'stop': ${list.length} strings; send at most ${MAX_STOP_STRINGS}.`, 'stop');
  if (list.some((s) => s === '')) throw invalidRequest(`Invalid 'stop': an empty string would stop before the first token; leave it out.`, 'stop');
  return list as string[];
}

function readStreamOptions(value: unknown, stream: boolean): boolean {
  if (value === undefined || value === null) return false;
  if (!stream) throw invalidRequest(`'stream_options' is only allowed with "stream": true; leave it out.`, 'stream_options');
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidRequest(`Invalid 'stream_options': expected an object such as {"include_usage": true}, got ${shown(value)}.`, 'stream_options', 'invalid_type');
  }
  const options = value as JsonBody;
  rejectUnknownFields(options, ['include_usage'], "'stream_options'");
  return readBoolean(options, 'include_usage', false);
}

/**
 * The model reads prompt + max_tokens − 1 positions: the last generated token is never fed back,
 * and with max_tokens 0 the last prompt token is only scored. So lm-eval's ≤ 0.4.3 window of
 * maxContext + 1 tokens with max_tokens 0 fits, as does ≥ 0.4.4's maxContext − 1 tokens + 1.
 */
function checkContext(request: CompletionRequest, maxContext: number): void {
  request.prompts.forEach((prompt, i) => {
    const length = Math.max(prompt.length, 1); // an empty prompt is fed as end-of-document
    const positions = length + request.maxTokens - 1;
    if (positions > maxContext) {
      const which = request.prompts.length > 1 ? `prompt[${i}]` : 'the prompt';
      throw invalidRequest(
        `This model's maximum context length is ${maxContext} tokens, but ${which} has ${prompt.length} tokens and max_tokens is ${request.maxTokens}, ` +
          `so it would read ${positions} positions (prompt + max_tokens - 1); shorten the prompt or lower max_tokens.`,
        length - 1 > maxContext ? 'prompt' : 'max_tokens',
        'context_length_exceeded',
      );
    }
  });
}
