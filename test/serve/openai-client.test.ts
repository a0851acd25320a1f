/**
 * neox serve through the official `openai` npm client, on the reference model. Every expected
 * value comes from the model as a function (direct.ts), not from the server.
 */
import test from 'ava';
import OpenAI from 'openai';

import { greedyGenerate, positionLogprobs } from './direct';
import { MODEL_NAME, referenceModel, startServer, type Running } from './helpers';

const model = referenceModel();
const tokenizer = model.tokenizer;
let running: Running;
let client: OpenAI;

test.before(async () => {
  running = await startServer(model);
  client = new OpenAI({ baseURL: `${running.root}/v1`, apiKey: 'unused', maxRetries: 0 });
});
test.after.always(() => running?.close());

const PROMPT = "Shall I compare thee to a summer's day?";

test('models.list names the served model', async (t) => {
  const page = await client.models.list();
  t.deepEqual(page.data.map((m) => m.id), [MODEL_NAME]);
});

test('a text prompt, greedy: the text, finish reason and usage the model gives', async (t) => {
  const expected = greedyGenerate(model, tokenizer.encode(PROMPT), 12);
  const r = await client.completions.create({ model: MODEL_NAME, prompt: PROMPT, max_tokens: 12, temperature: 0 });
  t.is(r.object, 'text_completion');
  t.is(r.choices.length, 1);
  t.is(r.choices[0]!.index, 0);
  t.is(r.choices[0]!.text, expected.text);
  t.is(r.choices[0]!.finish_reason, expected.finish);
  t.is(r.choices[0]!.logprobs, null);
  t.deepEqual(r.usage, { prompt_tokens: tokenizer.encode(PROMPT).length, completion_tokens: expected.ids.length, total_tokens: tokenizer.encode(PROMPT).length + expected.ids.length });
});

test('token-id prompts come back as choices in prompt order', async (t) => {
  const prompts = ['From fairest creatures', 'When forty winters', 'Look in thy glass'].map((p) => tokenizer.encode(p));
  const r = await client.completions.create({ model: MODEL_NAME, prompt: prompts, max_tokens: 8, temperature: 0 });
  t.deepEqual(r.choices.map((c) => c.index), [0, 1, 2]);
  t.deepEqual(r.choices.map((c) => c.text), prompts.map((p) => greedyGenerate(model, p, 8).text));
});

test('echo + logprobs: one entry per token, exact logprobs, greedy tokens equal the top entry', async (t) => {
  const prompt = tokenizer.encode(PROMPT);
  const generated = greedyGenerate(model, prompt, 3);
  const r = await client.completions.create({ model: MODEL_NAME, prompt: [prompt], echo: true, max_tokens: 3, logprobs: 2, temperature: 0 });
  const choice = r.choices[0]!;
  const lp = choice.logprobs!;
  const all = [...prompt, ...generated.ids];
  t.is(choice.text, tokenizer.decode(all));
  t.is(lp.tokens!.length, all.length);
  t.deepEqual(lp.token_logprobs, [null, ...positionLogprobs(model, all)] as number[]);
  t.is(lp.top_logprobs![0] as unknown, null);
  for (let k = 1; k < all.length; k++) {
    const top = lp.top_logprobs![k]!;
    const best = Math.max(...Object.values(top));
    const isArgmax = k >= prompt.length; // generated tokens are greedy
    if (isArgmax) t.is(lp.token_logprobs![k], best, `position ${k}`);
    else t.true(lp.token_logprobs![k]! <= best);
    t.true(Object.keys(top).length >= 2 && Object.keys(top).length <= 3);
  }
  // text_offset points at each token's text.
  lp.text_offset!.forEach((offset, k) => t.is(choice.text.slice(offset, lp.text_offset![k + 1] ?? choice.text.length), lp.tokens![k]));
});

test('max_tokens 0 with echo scores the prompt and generates nothing', async (t) => {
  const prompt = tokenizer.encode('Unthrifty loveliness, why dost thou spend');
  const r = await client.completions.create({ model: MODEL_NAME, prompt: [prompt], echo: true, max_tokens: 0, logprobs: 0 });
  const choice = r.choices[0]!;
  t.is(choice.text, tokenizer.decode(prompt));
  t.is(choice.finish_reason, 'length');
  t.deepEqual(choice.logprobs!.token_logprobs, [null, ...positionLogprobs(model, prompt)] as number[]);
  t.is(r.usage!.completion_tokens, 0);
});

test('stop: the text ends before the first stop string, finish reason "stop"', async (t) => {
  const prompt = tokenizer.encode(PROMPT);
  const free = greedyGenerate(model, prompt, 20).text;
  const stop = free.slice(8, 11); // a string the model will produce after a few tokens
  const expected = greedyGenerate(model, prompt, 20, [stop, 'never seen']);
  t.true(expected.text.length > 0 && expected.text.length < free.length);
  const r = await client.completions.create({ model: MODEL_NAME, prompt: PROMPT, max_tokens: 20, temperature: 0, stop: [stop, 'never seen'] });
  t.is(r.choices[0]!.text, expected.text);
  t.is(r.choices[0]!.text, free.slice(0, free.indexOf(stop)));
  t.is(r.choices[0]!.finish_reason, 'stop');
});

test('streaming: the chunks add up to the non-streamed text, then [DONE]', async (t) => {
  const free = greedyGenerate(model, tokenizer.encode(PROMPT), 16).text;
  const stop = free.slice(10, 14);
  for (const stops of [undefined, [stop]]) {
    const whole = await client.completions.create({ model: MODEL_NAME, prompt: PROMPT, max_tokens: 16, temperature: 0, stop: stops, echo: true });
    const stream = await client.completions.create({ model: MODEL_NAME, prompt: PROMPT, max_tokens: 16, temperature: 0, stop: stops, echo: true, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let finish: string | null = null;
    let chunks = 0;
    let usage = null;
    for await (const chunk of stream) {
      chunks++;
      if (chunk.usage) usage = chunk.usage;
      for (const c of chunk.choices) {
        text += c.text;
        if (c.finish_reason) finish = c.finish_reason;
        if (stops) t.false(c.text.includes(stop));
      }
    }
    t.is(text, whole.choices[0]!.text);
    t.is(finish, whole.choices[0]!.finish_reason);
    t.deepEqual(usage, whole.usage);
    t.true(chunks > 3);
  }
});

test('seed: the same seed samples the same text, another seed another one', async (t) => {
  const ask = (seed: number) => client.completions.create({ model: MODEL_NAME, prompt: PROMPT, max_tokens: 16, temperature: 1, top_p: 0.95, seed });
  const [a, b, c] = await Promise.all([ask(7), ask(7), ask(8)]);
  t.is(a.choices[0]!.text, b.choices[0]!.text);
  t.not(a.choices[0]!.text, c.choices[0]!.text);
});

test('n: several choices per prompt, indexed prompt-major', async (t) => {
  const r = await client.completions.create({ model: MODEL_NAME, prompt: ['From fairest', 'When forty'], max_tokens: 6, n: 3, temperature: 0.8, seed: 1 });
  t.deepEqual(r.choices.map((c) => c.index), [0, 1, 2, 3, 4, 5]);
  t.true(new Set(r.choices.slice(0, 3).map((c) => c.text)).size > 1);
});

test.after('every sequence released its cache', (t) => {
  t.is(model.liveHandles, 0);
});
