/**
 * `neox export-hf` and `neox import-hf` against Hugging Face transformers (fp32):
 *  - engine checkpoints of both families (and variants: sequential residual, tied output, tanh
 *    GELU, no attention bias; GQA; Llama biases; a GPT-2 BPE tokenizer) export to directories that
 *    transformers loads cleanly (no missing, unexpected or mismatched keys) as the right class,
 *    with logits equal to the engine's (max abs diff <= 1e-4), and whose AutoTokenizer encodes
 *    as the checkpoint's tokenizer;
 *  - models created in transformers (fp32 single file; bf16 sharded; fp16 tied MHA Llama with
 *    biases), imported, give the same
 *    logits here, train one step, export again and load back in transformers with the changed
 *    weights (its logits equal the engine's after the step, and differ from before); the same
 *    through the CLI: import-hf, `neox train` with finetune: true, export-hf;
 *  - clear errors for missing files, sharding faults and unsupported architectures.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { HfConversionError } from '../../client/interop/errors';
import { exportHf } from '../../client/interop/export-hf';
import { importHf } from '../../client/interop/import-hf';
import { Checkpoint, SafetensorsFile } from '../../common/checkpoint';
import { packageRoot } from '../../common/paths';
import type { NeoxConfig } from '../../common/config';
import { createEngine, type Engine } from '../../native/ts/native';
import { loadEngineCheckpoint, saveEngineCheckpoint } from '../../node/actor/engine-checkpoint';
import { initialTrainerState } from '../../node/actor/trainer-state';
import { createTokenizer, type TokenizerSpec } from '../../common/tokenizer';
import { type Arch, tinyConfig, VOCAB } from '../model/tiny-models';
import { buildFixtures } from '../tokenizer/fixtures';
import { runOracle } from '../oracle/python';
import { CLI } from '../serve/cli-server';
import { TOKENIZER_DIR, TOKENIZER_JSON } from '../serve/helpers';

const TOLERANCE = 1e-4;
const BATCH = 2;
const SEQ = 24;
const TOPOLOGY = { world_size: 1, data_parallel_size: 1, model_parallel_size: 1, pipe_parallel_size: 1, zero_stage: 0 };
const work = mkdtempSync(join(tmpdir(), 'neox-hf-interop-'));
let gpt2: string | null = null;
/** GPT-2's vocab.json and merges.txt, built from tiktoken's ranks (test/tokenizer/fixtures.ts). */
function gpt2Dir(): string {
  gpt2 ??= join(buildFixtures(['gpt2']), 'gpt2');
  return gpt2;
}
test.after.always(() => {
  rmSync(work, { recursive: true, force: true });
  if (gpt2 !== null) rmSync(join(gpt2, '..'), { recursive: true, force: true });
});

/** A seeded stream of standard normal numbers (mulberry32 + Box-Muller). */
function normals(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), state | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return (((x ^ (x >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Random rows of token ids. */
function tokenRows(rows: number, length: number, seed: number): number[][] {
  const next = normals(seed);
  return Array.from({ length: rows }, () => Array.from({ length }, () => Math.floor(Math.abs(next() * 1e6)) % VOCAB));
}

/** Every parameter random, norms around 1 and biases around 0 but never exactly. */
function perturb(engine: Engine, seed: number): void {
  const next = normals(seed);
  for (const info of engine.tensorInfo().filter((t) => t.kind === 'parameter')) {
    const isNorm = /norm\.(weight|scale)$/.test(info.name);
    const data = engine.getTensor(info.name).map(() => (isNorm ? 1 + 0.1 * next() : 0.05 * next()));
    engine.setTensor(info.name, data);
  }
}

function neox(args: string[]): string {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`neox ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

interface LogitsJob {
  dir: string;
  tokens: number[][];
  logits: string;
  /** Also encode this with the directory's AutoTokenizer. */
  text?: string;
}

/** Runs the oracle on jobs; returns the model class names (and token ids of `text`). */
function oracle(command: 'create' | 'logits', jobs: (LogitsJob & { spec?: unknown })[]): { class: string; ids?: number[] }[] {
  return JSON.parse(runOracle('hf_interop.py', [command, JSON.stringify(jobs)]).trim().split('\n').pop()!) as { class: string; ids?: number[] }[];
}

const SAMPLE_TEXT = "Shall I compare thee to a summer's day? Thou art more lovely and more temperate.";

function readLogits(path: string): Float32Array {
  const file = new SafetensorsFile(path);
  try {
    return file.read('logits') as Float32Array;
  } finally {
    file.close();
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

async function engineLogits(engine: Engine, rows: number[][]): Promise<Float32Array> {
  return engine.logits(Int32Array.from(rows.flat()), rows.length, rows[0]!.length);
}

interface ExportCase {
  label: string;
  arch: Arch;
  extra: Record<string, unknown>;
  expectedClass: string;
  /** Tokenizer files (the reference tokenizer.json unless given) and the ones expected in the export. */
  tokenizer?: () => { keys: Record<string, unknown>; files: string[]; exported: string[] };
}

const EXPORT_CASES: ExportCase[] = [
  { label: 'pythia', arch: 'gpt_neox', extra: {}, expectedClass: 'GPTNeoXForCausalLM' },
  {
    label: 'neox-sequential-tied-tanh',
    arch: 'gpt_neox',
    extra: { gpt_j_residual: false, no_weight_tying: false, bias_gelu_fusion: true, use_bias_in_attn_linear: false, rotary_pct: 0.5 },
    expectedClass: 'GPTNeoXForCausalLM',
  },
  { label: 'llama-gqa', arch: 'llama', extra: {}, expectedClass: 'LlamaForCausalLM' },
  {
    label: 'pythia-gpt2-bpe',
    arch: 'gpt_neox',
    extra: { tokenizer_vocab_size: null },
    expectedClass: 'GPTNeoXForCausalLM',
    tokenizer: () => ({
      keys: { tokenizer_type: 'GPT2BPETokenizer', vocab_file: join(gpt2Dir(), 'vocab.json'), merge_file: join(gpt2Dir(), 'merges.txt') },
      files: [join(gpt2Dir(), 'vocab.json'), join(gpt2Dir(), 'merges.txt')],
      exported: ['vocab.json', 'merges.txt', 'tokenizer_config.json'],
    }),
  },
  {
    label: 'llama-mha-biases-tied',
    arch: 'llama',
    extra: { num_kv_heads: 4, use_bias_in_attn_linear: true, use_bias_in_mlp: true, no_weight_tying: false, rotary_emb_base: 500000 },
    expectedClass: 'LlamaForCausalLM',
  },
];

test.serial('export-hf: transformers loads each exported model cleanly as its class, and its logits equal the engine\'s (max abs diff <= 1e-4)', async (t) => {
  const tokens = tokenRows(BATCH, SEQ, 5);
  const jobs: LogitsJob[] = [];
  const ours: Float32Array[] = [];
  const ourIds: number[][] = [];
  for (const [i, c] of EXPORT_CASES.entries()) {
    const tokenizer = c.tokenizer?.();
    const tokenizerKeys = tokenizer?.keys ?? { tokenizer_type: 'HFTokenizer', vocab_file: TOKENIZER_JSON };
    const config = tinyConfig(c.arch, { micro: 1, gas: 1 }, { ...tokenizerKeys, ...c.extra });
    ourIds.push(createTokenizer({ merge_file: null, ...tokenizerKeys } as TokenizerSpec).encode(SAMPLE_TEXT));
    const engine = await createEngine(config, { threads: null, seed: 3 });
    try {
      perturb(engine, 100 + i);
      ours.push(await engineLogits(engine, tokens));
      const saveDir = join(work, `export-${c.label}-checkpoints`);
      saveEngineCheckpoint({ saveDir, engine, state: initialTrainerState(1), config: config as unknown as Record<string, unknown>, topology: TOPOLOGY, keepLast: null, tokenizerFiles: tokenizer?.files ?? [TOKENIZER_JSON] });
      const out = join(work, `export-${c.label}-hf`);
      t.regex(neox(['export-hf', saveDir, out]), new RegExp(`as ${c.expectedClass} `));
      for (const file of tokenizer?.exported ?? ['tokenizer.json', 'tokenizer_config.json']) t.true(existsSync(join(out, file)), `${c.label}: ${file} exported`);
      const json = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
      t.is(json.vocab_size, config.padded_vocab_size);
      t.is(json.tie_word_embeddings, c.extra.no_weight_tying === false);
      jobs.push({ dir: out, tokens, logits: join(work, `export-${c.label}-logits.safetensors`), text: SAMPLE_TEXT });
    } finally {
      engine.close();
    }
  }
  const loaded = oracle('logits', jobs);
  EXPORT_CASES.forEach((c, i) => {
    t.is(loaded[i]!.class, c.expectedClass, c.label);
    t.deepEqual(loaded[i]!.ids, ourIds[i], `${c.label}: transformers' AutoTokenizer of the export encodes as the checkpoint's tokenizer`);
    const diff = maxAbsDiff(readLogits(jobs[i]!.logits), ours[i]!);
    t.log(`${c.label}: max abs logits diff ${diff.toExponential(2)}`);
    t.true(diff <= TOLERANCE, `${c.label}: max abs diff ${diff}`);
  });
});

interface RoundTripCase {
  label: string;
  spec: Record<string, unknown>;
}

const SPEC_BASE = { vocab: VOCAB, hidden: 64, layers: 2, heads: 4, max_pos: 64, norm_eps: 1e-5, rope_theta: 10000, tied: false };
const ROUND_TRIPS: RoundTripCase[] = [
  {
    label: 'gpt_neox fp32 single file',
    spec: { ...SPEC_BASE, arch: 'gpt_neox', kv_heads: 4, intermediate: 256, rotary_pct: 0.25, parallel_residual: true, attention_bias: true, mlp_bias: true, seed: 21, dtype: 'float32' },
  },
  {
    label: 'llama bf16 sharded GQA',
    spec: { ...SPEC_BASE, arch: 'llama', kv_heads: 2, intermediate: 96, rotary_pct: 1, parallel_residual: false, attention_bias: false, mlp_bias: false, seed: 22, dtype: 'bfloat16', max_shard_size: '40KB' },
  },
  {
    label: 'llama fp16 tied MHA with biases',
    spec: { ...SPEC_BASE, arch: 'llama', kv_heads: 4, intermediate: 96, rotary_pct: 1, parallel_residual: false, attention_bias: true, mlp_bias: true, tied: true, seed: 23, dtype: 'float16' },
  },
];

test.serial('import-hf: transformers models (fp32; bf16 sharded; fp16 tied with biases) give the same logits here, train one step, export and load back in transformers with the changed weights', async (t) => {
  const tokens = tokenRows(BATCH, SEQ, 9);
  const created = ROUND_TRIPS.map((c, i) => ({ spec: c.spec, dir: join(work, `hf-created-${i}`), tokens, logits: join(work, `hf-created-${i}.safetensors`) }));
  oracle('create', created);
  t.true(existsSync(join(created[1]!.dir, 'model.safetensors.index.json')), 'the bf16 model is sharded');
  const afterStep: Float32Array[] = [];
  const jobs: LogitsJob[] = [];
  for (const [i, c] of ROUND_TRIPS.entries()) {
    copyFileSync(TOKENIZER_JSON, join(created[i]!.dir, 'tokenizer.json'));
    copyFileSync(join(TOKENIZER_DIR, 'tokenizer_config.json'), join(created[i]!.dir, 'tokenizer_config.json'));
    const imported = join(work, `imported-${i}`);
    t.regex(neox(['import-hf', created[i]!.dir, imported]), /imported/);
    const checkpoint = Checkpoint.open(imported);
    const config = checkpoint.manifest.config as unknown as NeoxConfig;
    checkpoint.close();
    t.is(config.tokenizer_type, 'HFTokenizer');
    const engine = await createEngine(config, { threads: null, seed: 1 });
    try {
      loadEngineCheckpoint(imported, engine, { finetune: true, noLoadOptim: false, step: null, seed: 1 });
      const before = await engineLogits(engine, tokens);
      const importDiff = maxAbsDiff(before, readLogits(created[i]!.logits));
      t.log(`${c.label}: imported logits vs transformers: max abs diff ${importDiff.toExponential(2)}`);
      t.true(importDiff <= TOLERANCE, `${c.label}: imported logits differ by ${importDiff}`);

      const rows = config.train_micro_batch_size_per_gpu * config.gradient_accumulation_steps;
      const step = await engine.trainStep(Int32Array.from(tokenRows(rows, config.seq_length + 1, 40 + i).flat()), null, 1e-2, 0);
      t.false(step.skipped);
      const after = await engineLogits(engine, tokens);
      t.true(maxAbsDiff(after, before) > 1e-2, `${c.label}: the step changed the model`);
      afterStep.push(after);

      const saveDir = join(work, `trained-${i}`);
      saveEngineCheckpoint({ saveDir, engine, state: { ...initialTrainerState(1), iteration: 1, optimizer_step: 1 }, config: config as unknown as Record<string, unknown>, topology: TOPOLOGY, keepLast: null, tokenizerFiles: [join(imported, 'global_step0', 'tokenizer', 'tokenizer.json')] });
      const out = join(work, `reexported-${i}`);
      neox(['export-hf', saveDir, out]);
      jobs.push({ dir: out, tokens, logits: join(work, `reexported-${i}.safetensors`) });
    } finally {
      engine.close();
    }
  }
  oracle('logits', jobs);
  ROUND_TRIPS.forEach((c, i) => {
    const diff = maxAbsDiff(readLogits(jobs[i]!.logits), afterStep[i]!);
    t.log(`${c.label}: re-exported after one step, transformers vs engine: max abs diff ${diff.toExponential(2)}`);
    t.true(diff <= TOLERANCE, `${c.label}: re-exported logits differ by ${diff}`);
  });
});

test.serial('import-hf, then neox train (finetune: true, two steps), then export-hf: transformers loads the trained model with the engine\'s logits', async (t) => {
  const tokens = tokenRows(BATCH, SEQ, 13);
  const hfDir = join(work, 'finetune-hf');
  oracle('create', [{ spec: { ...ROUND_TRIPS[0]!.spec, seed: 31 }, dir: hfDir, tokens, logits: join(work, 'finetune-hf.safetensors') }]);
  copyFileSync(TOKENIZER_JSON, join(hfDir, 'tokenizer.json'));
  const imported = join(work, 'finetune-imported');
  neox(['import-hf', hfDir, imported]);
  const runConfig = join(work, 'finetune.yml');
  writeFileSync(runConfig, JSON.stringify({
    data_preprocess: { input: join(packageRoot(), 'test', 'eval', 'fixtures', 'rolling.jsonl'), jsonl_keys: 'text', append_eod: true },
    data_path: join(work, 'finetune-data', 'rolling_text_document'), split: '100,0,0',
    optimizer: { type: 'Adam', params: { lr: 0.01 } }, train_micro_batch_size_per_gpu: 2, train_iters: 2,
    load: imported, finetune: true, save: join(work, 'finetune-trained'), checkpoint_factor: 2,
  }));
  t.regex(neox(['train', join(imported, 'hf-model.yml'), runConfig]), /finetune/);

  const trained = Checkpoint.open(join(work, 'finetune-trained'));
  const config = trained.manifest.config as unknown as NeoxConfig;
  t.is(trained.step, 2);
  trained.close();
  const engine = await createEngine(config, { threads: null, seed: 1 });
  let ours: Float32Array;
  try {
    loadEngineCheckpoint(join(work, 'finetune-trained'), engine, { finetune: true, noLoadOptim: true, step: null, seed: 1 });
    ours = await engineLogits(engine, tokens);
  } finally {
    engine.close();
  }
  t.true(maxAbsDiff(ours, readLogits(join(work, 'finetune-hf.safetensors'))) > 1e-2, 'training changed the model');
  const out = join(work, 'finetune-exported');
  neox(['export-hf', join(work, 'finetune-trained'), out]);
  oracle('logits', [{ dir: out, tokens, logits: join(work, 'finetune-exported.safetensors') }]);
  const diff = maxAbsDiff(readLogits(join(work, 'finetune-exported.safetensors')), ours);
  t.log(`after neox train: transformers vs engine max abs diff ${diff.toExponential(2)}`);
  t.true(diff <= TOLERANCE, `max abs diff ${diff}`);
});

test('import-hf: clear errors for a missing config.json, missing weights, a missing shard and an unsupported architecture', (t) => {
  const dir = join(work, 'broken');
  mkdirSync(dir, { recursive: true });
  const out = (name: string) => join(work, `broken-out-${name}`);
  const options = { configFiles: [], seed: 1 };
  t.throws(() => importHf(dir, out('a'), options), { message: /has no config\.json; give a Hugging Face model directory/ });

  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], vocab_size: 10 }));
  const unsupported = t.throws(() => importHf(dir, out('b'), options), { instanceOf: HfConversionError });
  t.is(unsupported.key, 'model_type');
  t.regex(unsupported.message, /model_type "gpt2" \(architectures \["GPT2LMHeadModel"\]\) cannot be imported; neox imports GPTNeoXForCausalLM/);

  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'llama', vocab_size: 64, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, rope_scaling: { rope_type: 'yarn', factor: 4 } }));
  const scaled = t.throws(() => importHf(dir, out('c'), options), { instanceOf: HfConversionError });
  t.regex(scaled.message, /rope_scaling\.rope_type is "yarn", but neox implements plain rotary embeddings only/);

  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'llama', vocab_size: 64, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32 }));
  writeFileSync(join(dir, 'pytorch_model.bin'), 'not really');
  t.throws(() => importHf(dir, out('d'), options), { message: /has neither model\.safetensors nor model\.safetensors\.index\.json \(it holds config\.json, pytorch_model\.bin\); it has PyTorch \.bin weights: re-save them as safetensors/ });

  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { 'model.embed_tokens.weight': 'model-00001-of-00002.safetensors' } }));
  t.throws(() => importHf(dir, out('e'), options), { message: /shard .*model-00001-of-00002\.safetensors \(listed in model\.safetensors\.index\.json\) is missing/ });
  unlinkSync(join(dir, 'model.safetensors.index.json'));
});

test('export-hf: refuses a model with no Hugging Face equivalent, naming the key', async (t) => {
  const cases: [Arch, Record<string, unknown>, string, RegExp][] = [
    ['gpt_neox', { pos_emb: 'learned' }, 'pos_emb', /pos_emb is "learned", which neither GPTNeoXForCausalLM nor LlamaForCausalLM has/],
    ['gpt_neox', { num_kv_heads: 2 }, 'num_kv_heads', /num_kv_heads is 2, which GPTNeoXForCausalLM cannot express/],
    ['llama', { rotary_pct: 0.5 }, 'rotary_pct', /rotary_pct is 0\.5, which LlamaForCausalLM cannot express/],
    ['llama', { sliding_window_width: 8 }, 'sliding_window_width', /sliding_window_width is 8/],
  ];
  for (const [i, [arch, extra, key, message]] of cases.entries()) {
    const config = tinyConfig(arch, { micro: 1, gas: 1 }, extra);
    const engine = await createEngine(config, { threads: 1, seed: 1 });
    const saveDir = join(work, `refused-${i}`);
    try {
      saveEngineCheckpoint({ saveDir, engine, state: initialTrainerState(1), config: config as unknown as Record<string, unknown>, topology: TOPOLOGY, keepLast: null, tokenizerFiles: [] });
    } finally {
      engine.close();
    }
    const error = t.throws(() => exportHf(saveDir, join(work, `refused-out-${i}`), { step: null }), { instanceOf: HfConversionError });
    t.is(error.key, key);
    t.regex(error.message, message);
    t.false(existsSync(join(work, `refused-out-${i}`)), 'nothing is written');
  }
});
