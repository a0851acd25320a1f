/**
 * neox serve on the native engine (EngineLanguageModel on the KV cache): echoed logprobs and
 * greedy generations equal what the engine's own full-recompute logits give for each sequence
 * alone, also when sequences are batched and split over several engine calls;
 * and `neox serve --checkpoint` serves a checkpoint written by the trainer's checkpoint code.
 */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { EngineLanguageModel } from '../../client/serve/engine-model';
import { createEngine, type Engine } from '../../native/ts/native';
import { saveEngineCheckpoint } from '../../node/actor/engine-checkpoint';
import { initialTrainerState } from '../../node/actor/trainer-state';
import { tinyConfig } from '../model/tiny-models';
import { startCli } from './cli-server';
import { MODEL_NAME, post, referenceTokenizer, startServer, TOKENIZER_JSON } from './helpers';

const tokenizer = referenceTokenizer();
const config = tinyConfig('gpt_neox', { micro: 1, gas: 1 }, { tokenizer_type: 'HFTokenizer', vocab_file: TOKENIZER_JSON });
const V = config.padded_vocab_size!;
const CONTEXT = 64; // rotary, max(seq_length 32, max_position_embeddings 64)
let engine: Engine;
const work = mkdtempSync(join(tmpdir(), 'neox-serve-engine-'));

test.before(async () => {
  engine = await createEngine(config, { threads: null, seed: 11 });
});
test.after.always(() => {
  engine?.close();
  rmSync(work, { recursive: true, force: true });
});

/** The engine on one sequence alone, log-softmax in float64. */
async function directRows(tokens: number[]): Promise<Float64Array[]> {
  const logits = await engine.logits(Int32Array.from(tokens), 1, tokens.length);
  return tokens.map((_, k) => {
    const row = logits.subarray(k * V, (k + 1) * V);
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
    return Float64Array.from(row, (x) => x - lse);
  });
}

async function directGreedy(prompt: number[], steps: number): Promise<number[]> {
  const tokens = [...prompt];
  for (let i = 0; i < steps; i++) {
    const rows = await directRows(tokens);
    const last = rows[rows.length - 1]!;
    tokens.push(last.indexOf(Math.max(...last)));
  }
  return tokens.slice(prompt.length);
}

const PROMPTS = ['Shall I compare thee', 'From fairest creatures we desire increase, that thereby', 'When forty winters'].map((p) => tokenizer.encode(p));

test('echo logprobs and greedy tokens of batched, padded, budget-split sequences equal each sequence alone', async (t) => {
  // A budget of two rows of 20 positions forces several engine calls per step.
  const model = new EngineLanguageModel(engine, { tokenizer, vocabSize: V, maxContext: CONTEXT, logitsBudget: 2 * 20 * V });
  const server = await startServer(model);
  try {
    const r = await post(server.root, '/v1/completions', { prompt: PROMPTS, echo: true, logprobs: 3, max_tokens: 5, temperature: 0 });
    t.is(r.status, 200);
    for (const [i, prompt] of PROMPTS.entries()) {
      const choice = r.json.choices[i];
      const generated = await directGreedy(prompt, 5);
      const all = [...prompt, ...generated];
      t.is(choice.text, tokenizer.decode(all));
      const rows = await directRows(all.slice(0, -1));
      const expected = all.slice(1).map((token, k) => rows[k]![token]!);
      const got = choice.logprobs.token_logprobs.slice(1) as number[];
      t.is(got.length, expected.length);
      got.forEach((lp, k) => t.true(Math.abs(lp - expected[k]!) < 1e-4, `prompt ${i} position ${k + 1}: ${lp} vs ${expected[k]}`));
      // generated positions are greedy: their logprob is the top entry, exactly
      for (let k = prompt.length; k < all.length; k++) t.is(choice.logprobs.token_logprobs[k], Math.max(...(Object.values(choice.logprobs.top_logprobs[k]) as number[])));
    }
  } finally {
    await server.close();
  }
});

test('neox serve --checkpoint serves a trainer checkpoint (config, weights and tokenizer from the checkpoint)', async (t) => {
  const saveDir = join(work, 'checkpoints');
  saveEngineCheckpoint({
    saveDir,
    engine,
    state: initialTrainerState(11),
    config: config as unknown as Record<string, unknown>,
    topology: { world_size: 1, data_parallel_size: 1, model_parallel_size: 1, pipe_parallel_size: 1, zero_stage: 0 },
    keepLast: null,
    tokenizerFiles: [TOKENIZER_JSON],
  });
  const server = await startCli(['--checkpoint', saveDir, '--port', '0', '--model-name', MODEL_NAME]);
  try {
    const prompt = PROMPTS[0]!;
    const r = await post(server.root, '/v1/completions', { prompt: tokenizer.decode(prompt), max_tokens: 6, temperature: 0, logprobs: 1 });
    t.is(r.status, 200, r.text);
    t.is(r.json.choices[0].text, tokenizer.decode(await directGreedy(prompt, 6)));
    const models = await (await fetch(`${server.root}/v1/models`)).json();
    t.is((models as { data: { max_model_len: number }[] }).data[0]!.max_model_len, CONTEXT);
  } finally {
    t.is(await server.stop(), 0);
  }
});
