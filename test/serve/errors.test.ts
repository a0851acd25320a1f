/**
 * Bad requests get OpenAI-style JSON errors with the exact message, status, param and code; model
 * failures are 500s and the server carries on; a full queue is a 503 with Retry-After.
 */
import test from 'ava';

import type { DecodeInput, LanguageModel, PrefillInput } from '../../client/serve/language-model';
import { argmax } from '../../client/serve/top-logprobs';
import type { ReferenceModel } from '../../client/serve/reference/reference-model';
import { errorOf, get, MODEL_NAME, post, referenceModel, type Reply, startServer, type Running } from './helpers';

const CONTEXT = 16;
const model = referenceModel({ maxContext: CONTEXT });
let running: Running;

test.before(async () => {
  running = await startServer(model);
});
test.after.always(() => running?.close());

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 2));
}

const ids = (n: number) => Array.from({ length: n }, (_, k) => 40 + k);

function expectError(t: import('ava').ExecutionContext, r: Reply, status: number, message: string, param: string | null, code: string | null): void {
  t.is(r.status, status);
  t.is(r.headers.get('content-type'), 'application/json');
  t.deepEqual(errorOf(r), { message, type: status >= 500 ? errorOf(r).type : 'invalid_request_error', param, code });
}

test('a prompt longer than the context: the lengths and the limit', async (t) => {
  const r = await post(running.root, '/v1/completions', { prompt: [ids(12)], max_tokens: 6 });
  expectError(t, r, 400, `This model's maximum context length is 16 tokens, but the prompt has 12 tokens and max_tokens is 6, so it would read 17 positions (prompt + max_tokens - 1); shorten the prompt or lower max_tokens.`, 'max_tokens', 'context_length_exceeded');
  const many = await post(running.root, '/v1/completions', { prompt: [ids(3), ids(18)], max_tokens: 0, echo: true });
  expectError(t, many, 400, `This model's maximum context length is 16 tokens, but prompt[1] has 18 tokens and max_tokens is 0, so it would read 17 positions (prompt + max_tokens - 1); shorten the prompt or lower max_tokens.`, 'prompt', 'context_length_exceeded');
});

test('the edges of the context: context + 1 tokens scored with max_tokens 0, context - 1 + 1 generated', async (t) => {
  const scored = await post(running.root, '/v1/completions', { prompt: [ids(CONTEXT + 1)], max_tokens: 0, echo: true, logprobs: 1 });
  t.is(scored.status, 200);
  t.is(scored.json.choices[0].logprobs.token_logprobs.length, CONTEXT + 1);
  const generated = await post(running.root, '/v1/completions', { prompt: [ids(CONTEXT - 1)], max_tokens: 2, echo: true, logprobs: 1, temperature: 0 });
  t.is(generated.status, 200);
  t.is(generated.json.choices[0].logprobs.token_logprobs.length, CONTEXT + 1);
  const over = await post(running.root, '/v1/completions', { prompt: [ids(CONTEXT)], max_tokens: 2 });
  t.is(errorOf(over).code, 'context_length_exceeded');
});

test('an unknown model names the served one', async (t) => {
  const r = await post(running.root, '/v1/completions', { model: 'gpt-4', prompt: 'hi' });
  expectError(t, r, 400, `The model 'gpt-4' does not exist; this server serves '${MODEL_NAME}' (see GET /v1/models).`, 'model', 'model_not_found');
});

const invalid: [string, Record<string, unknown>, string, string, string][] = [
  ['max_tokens of the wrong type', { max_tokens: 'ten' }, `Invalid 'max_tokens': expected an integer >= 0, got "ten"; 0 generates nothing (with echo, the prompt is scored).`, 'max_tokens', 'invalid_type'],
  ['negative temperature', { temperature: -0.5 }, `Invalid 'temperature': expected a number >= 0, got -0.5; 0 is greedy.`, 'temperature', 'invalid_value'],
  ['top_p above 1', { top_p: 1.5 }, `Invalid 'top_p': expected a number from 0 to 1, got 1.5; 1 keeps every token.`, 'top_p', 'invalid_value'],
  ['top_k below -1', { top_k: -2 }, `Invalid 'top_k': expected an integer >= -1, got -2; 0 or -1 keeps every token.`, 'top_k', 'invalid_value'],
  ['logprobs above 20', { logprobs: 21 }, `Invalid 'logprobs': expected an integer from 0 to 20, got 21; it is how many alternatives each position lists.`, 'logprobs', 'invalid_value'],
  ['a fractional seed', { seed: 1.5 }, `Invalid 'seed': expected an integer >= -9007199254740991, got 1.5.`, 'seed', 'invalid_type'],
  ['n of 0', { n: 0 }, `Invalid 'n': expected an integer from 1 to 128, got 0.`, 'n', 'invalid_value'],
  ['echo as a string', { echo: 'yes' }, `Invalid 'echo': expected true or false, got "yes".`, 'echo', 'invalid_type'],
  ['an empty stop string', { stop: ['\n', ''] }, `Invalid 'stop': an empty string would stop before the first token; leave it out.`, 'stop', 'invalid_value'],
  ['stop of the wrong type', { stop: [1] }, `Invalid 'stop': expected a string or a list of strings, got [1].`, 'stop', 'invalid_type'],
  ['an unknown parameter', { max_new_tokens: 5 }, `Unrecognized request argument supplied: 'max_new_tokens'. POST /v1/completions accepts model, prompt, max_tokens, echo, logprobs, temperature, top_p, top_k, seed, stop, n, stream, stream_options, best_of, presence_penalty, frequency_penalty, logit_bias, user, suffix.`, 'max_new_tokens', 'unknown_parameter'],
  ['an unsupported penalty', { presence_penalty: 0.5 }, `'presence_penalty' = 0.5 is not supported by neox serve; leave it out or send 0.`, 'presence_penalty', 'unsupported_parameter'],
  ['best_of other than n', { best_of: 3 }, `'best_of' = 3 is not supported by neox serve; leave it out or set it equal to n.`, 'best_of', 'unsupported_parameter'],
  ['stream_options without stream', { stream_options: { include_usage: true } }, `'stream_options' is only allowed with "stream": true; leave it out.`, 'stream_options', 'invalid_value'],
];
for (const [name, extra, message, param, code] of invalid) {
  test(`invalid parameter: ${name}`, async (t) => {
    expectError(t, await post(running.root, '/v1/completions', { prompt: 'hi', ...extra }), 400, message, param, code);
  });
}

const prompts: [string, unknown, string, string][] = [
  ['missing', undefined, `Missing required parameter 'prompt': send a string, a list of strings, a list of token ids, or a list of token-id lists.`, 'missing_required_parameter'],
  ['an empty list', [], `Invalid 'prompt': the list is empty; send at least one prompt ("" is an empty prompt).`, 'invalid_value'],
  ['a number', 5, `Invalid 'prompt': expected a string, a list of strings, a list of token ids, or a list of token-id lists, got 5.`, 'invalid_type'],
  ['mixed strings and ids', ['a', [1]], `Invalid 'prompt': prompt[1] is [1] but prompt[0] is "a"; send a string, a list of strings, a list of token ids, or a list of token-id lists, not a mix.`, 'invalid_type'],
  ['an id outside the vocabulary', [[1, 2, 512]], `Invalid 'prompt': prompt[0][2] = 512 is not a token id; ids are integers from 0 to 511.`, 'invalid_value'],
  ['a negative id', [3, -1], `Invalid 'prompt': prompt[1] = -1 is not a token id; ids are integers from 0 to 511.`, 'invalid_value'],
];
for (const [name, prompt, message, code] of prompts) {
  test(`invalid prompt: ${name}`, async (t) => {
    expectError(t, await post(running.root, '/v1/completions', { prompt }), 400, message, 'prompt', code);
  });
}

test('malformed JSON, an empty body and a non-object body', async (t) => {
  const bad = await post(running.root, '/v1/completions', '{"prompt": "hi",');
  t.is(bad.status, 400);
  t.regex(errorOf(bad).message, /^The request body is not valid JSON \(.+\); send a JSON object with Content-Type: application\/json\.$/);
  t.is(errorOf(bad).code, 'invalid_json');
  expectError(t, await post(running.root, '/v1/completions', ''), 400, 'The request body is empty; send a JSON object, e.g. {"prompt": "Hello", "max_tokens": 16}.', null, 'invalid_json');
  expectError(t, await post(running.root, '/v1/completions', [1]), 400, 'The body of POST /v1/completions must be a JSON object, got [1]; send e.g. {"prompt": "Hello", "max_tokens": 16}.', null, 'invalid_body');
});

test('an unknown route is a 404 listing the routes; a wrong method a 405', async (t) => {
  const r = await post(running.root, '/v1/chat/completions', { messages: [] });
  expectError(t, r, 404, `Unknown route POST /v1/chat/completions; this server serves POST /v1/completions, GET /v1/models, GET /v1/models/${MODEL_NAME}, GET /tokenizer_info, POST /tokenize, POST /detokenize, GET /health.`, null, 'unknown_route');
  const wrong = await get(running.root, '/v1/completions');
  expectError(t, wrong, 405, '/v1/completions does not accept GET; use POST.', null, 'method_not_allowed');
  t.is(wrong.headers.get('allow'), 'POST');
});

test('tokenizer endpoints check their input too', async (t) => {
  expectError(t, await post(running.root, '/tokenize', { prompt: 3 }), 400, `Invalid 'prompt': expected a string, got 3.`, 'prompt', 'invalid_type');
  expectError(t, await post(running.root, '/detokenize', { tokens: [1, 'a'] }), 400, `Invalid 'tokens': expected a list of token ids (integers from 0 to 511), got [1,"a"].`, 'tokens', 'invalid_value');
});

test('an oversized body is a 413', async (t) => {
  const small = await startServer(model, { maxBodyBytes: 1000 });
  try {
    const r = await post(small.root, '/v1/completions', { prompt: 'x'.repeat(2000) });
    expectError(t, r, 413, 'The request body is larger than 1000 bytes; send fewer or shorter prompts per request.', null, 'request_too_large');
  } finally {
    await small.close();
  }
});

/** The reference model, failing any batch that holds the poison token (in a prompt, or fed to decode). */
class FailingModel implements LanguageModel {
  constructor(
    private readonly inner: ReferenceModel,
    private readonly poison: number,
  ) {}
  get maxContext() {
    return this.inner.maxContext;
  }
  get vocabSize() {
    return this.inner.vocabSize;
  }
  get tokenizer() {
    return this.inner.tokenizer;
  }
  readonly maxBatchSize = 8;
  readonly maxBatchTokens = 4096;
  get liveHandles() {
    return this.inner.liveHandles;
  }
  prefill(batch: PrefillInput[]) {
    if (batch.some((b) => b.tokens.includes(this.poison))) return Promise.reject(new Error('CUDA error: an illegal memory access was encountered'));
    return this.inner.prefill(batch);
  }
  decode(batch: DecodeInput[]) {
    if (batch.some((b) => b.token === this.poison)) throw new Error('decode exploded');
    return this.inner.decode(batch);
  }
  release(handle: Parameters<LanguageModel['release']>[0]) {
    this.inner.release(handle);
  }
}

test('a model failure is a 500 naming it; the server answers the next request', async (t) => {
  const failing = new FailingModel(referenceModel(), 13);
  const logged: string[] = [];
  const server = await startServer(failing, { log: (line) => logged.push(line) });
  try {
    const r = await post(server.root, '/v1/completions', { prompt: [[5, 13, 7]], max_tokens: 3 });
    expectError(t, r, 500, 'The model failed while computing this request: CUDA error: an illegal memory access was encountered. The server is still running; retry, and report the error if it repeats.', null, 'model_error');
    t.is(errorOf(r).type, 'server_error');
    const again = await post(server.root, '/v1/completions', { prompt: 'still here', max_tokens: 2 });
    t.is(again.status, 200);
    t.is(logged.length, 1);
    t.regex(logged[0]!, /^neox serve: cmpl-\w+: The model failed while computing this request: CUDA error/);
    t.is(failing.liveHandles, 0);
  } finally {
    await server.close();
  }
});

test('a decode failure fails the requests in that batch with 500 and frees their caches', async (t) => {
  // Poison the greedy next token of the prompt, so the first decode step feeds it.
  const inner = referenceModel();
  const prompt = [5, 6];
  const failing = new FailingModel(inner, argmax(inner.nextRow(prompt)));
  const server = await startServer(failing);
  try {
    const r = await post(server.root, '/v1/completions', { prompt: [prompt], max_tokens: 3, temperature: 0 });
    expectError(t, r, 500, 'The model failed while computing this request: decode exploded. The server is still running; retry, and report the error if it repeats.', null, 'model_error');
    t.is(inner.liveHandles, 0);
  } finally {
    await server.close();
  }
});

test('a full queue is a 503 with Retry-After; a request that can never fit is a 400', async (t) => {
  const slow = referenceModel({ callDelayMs: 20, maxBatchSize: 1 });
  const server = await startServer(slow, { maxQueued: 2 });
  try {
    const long = { prompt: 'a long one', max_tokens: 20 };
    const scheduler = server.server.served.scheduler;
    const first = post(server.root, '/v1/completions', long); // admitted, running
    await until(() => scheduler.stats.prefillCalls === 1);
    const queued = [post(server.root, '/v1/completions', long), post(server.root, '/v1/completions', long)];
    await until(() => scheduler.queued === 2);
    const refused = await post(server.root, '/v1/completions', long);
    expectError(t, refused, 503, 'The server is busy: 2 sequences are waiting and the queue holds 2; retry after a short wait.', null, 'server_overloaded');
    t.is(errorOf(refused).type, 'overloaded_error');
    t.is(refused.headers.get('retry-after'), '1');
    const statuses = (await Promise.all([first, ...queued])).map((r) => r.status);
    t.deepEqual(statuses, [200, 200, 200]);
    const huge = await post(server.root, '/v1/completions', { prompt: ['a', 'b'], n: 2, max_tokens: 1 });
    expectError(t, huge, 400, 'This request needs 4 sequences (prompts x n) but the server queues at most 2; split it into smaller requests.', 'prompt', 'too_many_sequences');
  } finally {
    await server.close();
  }
});

test('a client that disconnects mid-stream frees its sequence; the server goes on', async (t) => {
  const slow = referenceModel({ callDelayMs: 5 });
  const server = await startServer(slow);
  try {
    const controller = new AbortController();
    const response = await fetch(`${server.root}/v1/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt: 'tell me a long story', max_tokens: 200, stream: true }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read(); // the first chunk
    controller.abort();
    await new Promise((r) => setTimeout(r, 100));
    t.is(slow.liveHandles, 0);
    const after = await post(server.root, '/v1/completions', { prompt: 'and now', max_tokens: 3 });
    t.is(after.status, 200);
  } finally {
    await server.close();
  }
});
