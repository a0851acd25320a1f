/**
 * `neox eval` against lm-evaluation-harness 0.4.13 (`lm_eval --model local-completions`) through
 * `neox serve`, on the same checkpoint (a tiny GPT-NeoX model with the serve
 * tests' reference tokenizer, trained briefly on the fixture texts) and the same tasks: multiple choice (acc, acc_norm; the serve tests'
 * mc.jsonl), last word (perplexity, acc) and rolling perplexity (word_perplexity,
 * byte_perplexity, bits_per_byte; neox eval reads the texts as an indexed dataset, lm-eval as
 * text, with documents longer than one window). Accuracies must be equal; log-likelihoods and
 * perplexities within 1e-6 · max(1, |value|) (the server batches and caches differently, so
 * logits may differ in the last float bits).
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { IndexedDatasetWriter } from '../../common/data';
import { packageRoot } from '../../common/paths';
import { createEngine } from '../../native/ts/native';
import { saveEngineCheckpoint } from '../../node/actor/engine-checkpoint';
import { initialTrainerState } from '../../node/actor/trainer-state';
import { tinyConfig } from '../model/tiny-models';
import { type LmEvalRun, runLmEval } from '../oracle/lm-eval-runner';
import { CLI, startCli } from '../serve/cli-server';
import { referenceTokenizer, TOKENIZER_DIR, TOKENIZER_JSON } from '../serve/helpers';

const TASKS = join(packageRoot(), 'test', 'eval', 'fixtures');
const MC_FILE = join(packageRoot(), 'test', 'serve', 'fixtures', 'lm-eval', 'mc.jsonl');
const NAME = 'tiny';
const CONTEXT = 64; // rotary: max(seq_length 32, max_position_embeddings 64)
const TRAIN_STEPS = 300;
const work = process.env.NEOX_KEEP_WORK ?? mkdtempSync(join(tmpdir(), "neox-eval-parity-"));
test.after.always(() => { if (!process.env.NEOX_KEEP_WORK) rmSync(work, { recursive: true, force: true }); });

type Metrics = Record<string, number>;
interface NeoxReport {
  max_length: number;
  tasks: { name: string; metrics: Metrics; samples: { loglikelihoods?: number[]; loglikelihood?: number }[] }[];
}
/** The fixture texts (most last-word lines, rolling texts, questions with their right answers) as one token stream. */
function trainingStream(): number[] {
  const tokenizer = referenceTokenizer();
  const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const texts = [
    // The last three last-word lines stay unseen, so that some last words are missed.
    ...lines(join(TASKS, 'lastword.jsonl')).slice(0, -3).map((d) => d.text as string),
    ...lines(join(TASKS, 'rolling.jsonl')).map((d) => d.text as string),
    ...lines(MC_FILE).map((d) => `${d.question as string} ${(d.choices as string[])[d.answer as number]!}`),
  ];
  return texts.flatMap((text) => [...tokenizer.encode(text), tokenizer.eod]);
}

/**
 * A checkpoint of a tiny GPT-NeoX model trained for a few hundred steps on the fixture texts, so
 * that it gets some answers right and some continuations greedily.
 */
async function makeCheckpoint(): Promise<string> {
  const config = tinyConfig('gpt_neox', { micro: 4, gas: 1 }, { tokenizer_type: 'HFTokenizer', vocab_file: TOKENIZER_JSON });
  const engine = await createEngine(config, { threads: null, seed: 5 });
  try {
    const stream = trainingStream();
    const width = config.seq_length + 1;
    for (let step = 0; step < TRAIN_STEPS; step++) {
      const rows = Array.from({ length: 4 }, (_, r) => {
        const start = ((step * 4 + r) * 17) % (stream.length - width);
        return stream.slice(start, start + width);
      });
      await engine.trainStep(Int32Array.from(rows.flat()), null, 3e-3, step);
    }
    const saveDir = join(work, 'checkpoints');
    saveEngineCheckpoint({
      saveDir, engine, state: initialTrainerState(1), config: config as unknown as Record<string, unknown>,
      topology: { world_size: 1, data_parallel_size: 1, model_parallel_size: 1, pipe_parallel_size: 1, zero_stage: 0 },
      keepLast: null, tokenizerFiles: [TOKENIZER_JSON, join(TOKENIZER_DIR, 'tokenizer_config.json')],
    });
    return saveDir;
  } finally {
    engine.close();
  }
}

/** The rolling-perplexity texts as an indexed dataset, one document each with end-of-document appended. */
function rollingDataset(): string {
  const tokenizer = referenceTokenizer();
  const prefix = join(work, 'rolling_text_document');
  const writer = new IndexedDatasetWriter(prefix, 'uint16');
  for (const line of readFileSync(join(TASKS, 'rolling.jsonl'), 'utf8').trim().split('\n')) {
    writer.addDocument([...tokenizer.encode((JSON.parse(line) as { text: string }).text), tokenizer.eod]);
  }
  writer.finish();
  return prefix;
}

function close(t: import('ava').ExecutionContext, actual: number, expected: number, what: string): void {
  const error = Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
  t.true(error <= 1e-6, `${what}: neox eval ${actual} vs lm-eval ${expected} (error ${error} relative to max(1, |lm-eval|))`);
}

test('neox eval equals lm-evaluation-harness through neox serve: acc/acc_norm, last-word perplexity/acc, rolling word/byte perplexity and bits per byte', async (t) => {
  const saveDir = await makeCheckpoint();
  const prefix = rollingDataset();
  const output = join(work, 'eval.json');
  const evalRun = spawnSync(process.execPath, [
    CLI, 'eval', '--checkpoint', saveDir, '--output', output, '--batch-size', '4',
    '--tasks', `mc:${MC_FILE},lastword:${join(TASKS, 'lastword.jsonl')},rolling=ppl:${prefix}`,
  ], { encoding: 'utf8' });
  t.is(evalRun.status, 0, evalRun.stderr);
  t.regex(evalRun.stdout, /task\s+kind\s+docs\s+metric\s+value/);
  const report = JSON.parse(readFileSync(output, 'utf8')) as NeoxReport;
  t.is(report.max_length, CONTEXT);
  const ours = (name: string) => report.tasks.find((task) => task.name === name)!;

  const server = await startCli(['--checkpoint', saveDir, '--port', '0', '--model-name', NAME]);
  let run: LmEvalRun;
  try {
    run = await runLmEval({
      taskDir: TASKS,
      tasks: ['neox_eval_mc', 'neox_eval_lastword', 'neox_eval_rolling'],
      modelArgs: `base_url=${server.root}/v1/completions,model=${NAME},tokenizer_backend=huggingface,tokenizer=${TOKENIZER_DIR},max_length=${CONTEXT}`,
      modelName: NAME,
      outDir: join(work, 'lm-eval'),
    });
  } finally {
    await server.stop();
  }

  const mc = run.results.neox_eval_mc!;
  t.is(ours('mc').metrics.acc, mc['acc,none'] as number);
  t.is(ours('mc').metrics.acc_norm, mc['acc_norm,none'] as number);
  run.samples('neox_eval_mc').forEach((sample, i) => {
    sample.resps.forEach((r, c) => close(t, ours('mc').samples[i]!.loglikelihoods![c]!, Number((r[0] as string[])[0]), `mc doc ${i} choice ${c}`));
  });
  t.log(`mc: acc ${ours('mc').metrics.acc}, acc_norm ${ours('mc').metrics.acc_norm}`);

  const lastWord = run.results.neox_eval_lastword!;
  t.is(ours('lastword').metrics.acc, lastWord['acc,none'] as number);
  close(t, ours('lastword').metrics.perplexity!, lastWord['perplexity,none'] as number, 'last-word perplexity');
  run.samples('neox_eval_lastword').forEach((sample, i) => close(t, ours('lastword').samples[i]!.loglikelihood!, Number((sample.resps[0]![0] as string[])[0]), `last word doc ${i}`));
  t.true(ours('mc').metrics.acc! > 0 && ours('lastword').metrics.acc! > 0 && ours('lastword').metrics.acc! < 1, `the trained model gets some answers and some last words right (last-word acc ${ours('lastword').metrics.acc})`);
  t.log(`lastword: perplexity ${ours('lastword').metrics.perplexity}, acc ${ours('lastword').metrics.acc}`);

  const rolling = run.results.neox_eval_rolling!;
  for (const metric of ['word_perplexity', 'byte_perplexity', 'bits_per_byte']) {
    close(t, ours('rolling').metrics[metric]!, rolling[`${metric},none`] as number, `rolling ${metric}`);
  }
  t.log(`rolling: bits_per_byte ${ours('rolling').metrics.bits_per_byte}, token_perplexity ${ours('rolling').metrics.token_perplexity}`);
});
