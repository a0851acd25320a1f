/**
 * lm-evaluation-harness itself (`.venv/bin/lm_eval --model local-completions`, the ≥ 0.4.4 client)
 * against `neox serve --reference-model`, on the tasks in fixtures/lm-eval: a multiple-choice task
 * (log-likelihood requests: echo, max_tokens 1, logprobs 1, scored [ctxlen:-1]) and a
 * generate_until task (greedy, stop strings). The harness's per-sample numbers and metrics must
 * equal what the reference model gives directly. The 0.4.0–0.4.3 request shape (max_tokens 0,
 * logprobs 10, scored [ctxlen:]) is sent as raw HTTP, as only one lm-eval version is installed.
 */
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type CliServer, startCli } from './cli-server';
import { encodePair } from '../../client/eval/requests';
import { greedyGenerate, loglikelihood } from './direct';
import { FIXTURES, post, referenceModel, TOKENIZER_DIR, TOKENIZER_JSON } from './helpers';
import { LM_EVAL, type LmEvalRun, runLmEval } from '../oracle/lm-eval-runner';

const model = referenceModel();
const tokenizer = model.tokenizer;
const TASKS = join(FIXTURES, 'lm-eval');
const NAME = 'ref';
const MAX_LENGTH = 256; // the reference model's context
const UNTIL = ['.', 'For']; // neox_serve_gen.yaml
const MAX_GEN_TOKS = 16;

interface McDoc {
  question: string;
  choices: string[];
  answer: number;
}
interface GenDoc {
  prompt: string;
  target: string;
}
const readJsonl = <T>(file: string): T[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
const mcDocs = readJsonl<McDoc>(join(TASKS, 'mc.jsonl'));
const genDocs = readJsonl<GenDoc>(join(TASKS, 'gen.jsonl'));

/** lm-eval's requests for a doc: context = question, continuation = " " + choice. */
const mcPairs = (doc: McDoc) => doc.choices.map((choice) => encodePair(tokenizer, doc.question, ` ${choice}`, tokenizer.eod));

const expectedMc = mcDocs.map((doc) => mcPairs(doc).map((p) => loglikelihood(model, p.context, p.continuation)));
const expectedAcc = mean(expectedMc.map((scores, i) => (argmaxOf(scores.map((s) => s.logprob)) === mcDocs[i]!.answer ? 1 : 0)));
const expectedGen = genDocs.map((doc) => greedyGenerate(model, tokenizer.encode(doc.prompt), MAX_GEN_TOKS, UNTIL));
const expectedExact = mean(expectedGen.map((g, i) => (g.text === genDocs[i]!.target ? 1 : 0)));

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
function argmaxOf(values: number[]): number {
  return values.indexOf(Math.max(...values));
}

let server: CliServer;
const work = mkdtempSync(join(tmpdir(), 'neox-serve-lm-eval-'));

test.before(async () => {
  server = await startCli(['--reference-model', TOKENIZER_JSON, '--port', '0', '--model-name', NAME]);
});
test.after.always(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('the fixtures exercise what they are for', (t) => {
  t.true(expectedMc.flat().some((s) => s.greedy), 'a continuation the model would produce greedily');
  t.true(expectedMc.flat().some((s) => !s.greedy));
  t.true(expectedAcc > 0 && expectedAcc < 1);
  t.true(expectedGen.some((g) => g.finish === 'stop') && expectedGen.some((g) => g.finish === 'length'));
  t.true(expectedExact > 0 && expectedExact < 1);
});

/** Runs lm_eval on the fixture tasks against the server. */
function lmEval(label: string, modelArgs: string, tasks: string[], extraArgs: string[] = []): Promise<LmEvalRun> {
  return runLmEval({ taskDir: TASKS, tasks, modelArgs, modelName: NAME, outDir: join(work, label), extraArgs });
}

function checkMc(t: import('ava').ExecutionContext, run: LmEvalRun): void {
  const samples = run.samples('neox_serve_mc');
  t.is(samples.length, mcDocs.length);
  samples.forEach((sample, i) => {
    // resps: one [[logprob, is_greedy]] per choice, written as strings.
    const got = sample.resps.map((r) => r[0] as [string, string]);
    t.deepEqual(got.map(([lp]) => Number(lp)), expectedMc[i]!.map((s) => s.logprob), `doc ${i} loglikelihoods`);
    t.deepEqual(got.map(([, greedy]) => greedy), expectedMc[i]!.map((s) => (s.greedy ? 'True' : 'False')), `doc ${i} is_greedy`);
  });
  t.is(run.results['neox_serve_mc']!['acc,none'], expectedAcc);
}

function checkGen(t: import('ava').ExecutionContext, run: LmEvalRun): void {
  const samples = run.samples('neox_serve_gen');
  t.deepEqual(samples.map((s) => s.resps[0]![0]), expectedGen.map((g) => g.text));
  t.is(run.results['neox_serve_gen']!['exact_match,none'], expectedExact);
}

test('lm_eval (huggingface tokenizer of the reference vocabulary): loglikelihoods, is_greedy, acc, generations and exact_match equal the model', async (t) => {
  t.true(existsSync(LM_EVAL), `lm_eval not installed in .venv; run test/oracle/setup-venv.sh`);
  const run = await lmEval('hf', `base_url=${server.root}/v1/completions,model=${NAME},tokenizer_backend=huggingface,tokenizer=${TOKENIZER_DIR},max_length=${MAX_LENGTH}`, ['neox_serve_mc', 'neox_serve_gen']);
  checkMc(t, run);
  checkGen(t, run);
});

test('lm_eval with the remote tokenizer (auto-detected /tokenizer_info and /tokenize), batches of 4 and 2 concurrent requests: the same numbers', async (t) => {
  const run = await lmEval('remote', `base_url=${server.root}/v1/completions,model=${NAME},tokenizer_backend=auto,max_length=${MAX_LENGTH},num_concurrent=2`, ['neox_serve_mc', 'neox_serve_gen'], ['--batch_size', '4']);
  t.regex(run.log, /Auto-detected remote tokenizer support/);
  checkMc(t, run);
  checkGen(t, run);
});

test('the lm-eval 0.4.0-0.4.3 request shape (max_tokens 0, logprobs 10, window max_length + 1, sum of [ctxlen:]) gives the same loglikelihoods', async (t) => {
  const requests = mcDocs.flatMap(mcPairs);
  const windows = requests.map(({ context, continuation }) => {
    const all = [...context, ...continuation];
    const input = all.slice(-(MAX_LENGTH + 1));
    return { input, ctxlen: context.length - (all.length - input.length) };
  });
  const r = await post(server.root, '/v1/completions', { model: NAME, prompt: windows.map((w) => w.input), echo: true, max_tokens: 0, temperature: 0.0, logprobs: 10, seed: 1234 });
  t.is(r.status, 200);
  const choices = r.json.choices as { index: number; logprobs: { token_logprobs: (number | null)[]; top_logprobs: (Record<string, number> | null)[] } }[];
  t.deepEqual(choices.map((c) => c.index), windows.map((_, i) => i));
  const scores = choices.map((c, i) => {
    t.is(c.logprobs.token_logprobs.length, windows[i]!.input.length);
    t.true(c.logprobs.top_logprobs.slice(1).every((top) => Object.keys(top!).length >= 10));
    return c.logprobs.token_logprobs.slice(windows[i]!.ctxlen).reduce((a: number, b) => a + b!, 0);
  });
  t.deepEqual(scores, expectedMc.flat().map((s) => s.logprob));
});
