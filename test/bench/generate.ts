/**
 * `npm run bench -- generate [--threads N] [--runs N (5)] [--prompt N] [--new-tokens N] [--batches 1,8]`:
 * greedy generation tokens/s of the native engine's KV cache (client/generate: one batched
 * prefill, then one batched decode step per token) against Hugging Face transformers'
 * generate() (greedy, its KV cache, fp32) on the same Pythia-70M shape (random weights), prompt
 * length, batch and threads, in the same run. Each side does one untimed warm-up run, then `runs`
 * timed runs of `new-tokens` new tokens for `batch` prompts (no end-of-document stop), the two
 * sides' runs interleaved (neox, HF, neox, HF, …) so load from elsewhere on a shared machine hits
 * both alike; tokens/s = batch · new tokens / run seconds (prefill included), median (best).
 *
 * The engine runs in this process through native/ts/native.ts (which picks OpenBLAS's AVX-512
 * kernels unless OPENBLAS_CORETYPE is already set: this machine presets Haswell, so
 * BENCHMARKS.md runs it both ways); transformers runs in its own Python process from .venv with
 * OMP_NUM_THREADS = torch.set_num_threads = the thread count and OMP_WAIT_POLICY=PASSIVE.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { generateBatch } from '../../client/generate/generate';
import { loadConfig } from '../../common/config';
import { packageRoot } from '../../common/paths';
import { createEngine, type Engine, loadNative } from '../../native/ts/native';

/** Pythia-70M (EleutherAI/pythia-70m's config). */
const SHAPE = { name: 'pythia-70m', layers: 6, hidden: 512, heads: 8, vocab: 50304, rotaryPct: 0.25, maxPos: 2048 };

function option(args: string[], name: string): string | null {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1]! : null;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function engineConfig() {
  const dir = mkdtempSync(join(tmpdir(), 'neox-bench-generate-'));
  try {
    const file = join(dir, 'pythia-70m.yml');
    writeFileSync(file, JSON.stringify({
      num_layers: SHAPE.layers, hidden_size: SHAPE.hidden, num_attention_heads: SHAPE.heads, seq_length: SHAPE.maxPos,
      max_position_embeddings: SHAPE.maxPos, pos_emb: 'rotary', rotary_pct: SHAPE.rotaryPct, gpt_j_residual: true,
      no_weight_tying: true, norm: 'layernorm', activation: 'gelu', bias_gelu_fusion: false,
      tokenizer_vocab_size: SHAPE.vocab, make_vocab_size_divisible_by: 128, train_micro_batch_size_per_gpu: 1,
      hidden_dropout: 0, attention_dropout: 0, init_method: 'small_init', output_layer_init_method: 'wang_init',
      optimizer: { type: 'Adam', params: { lr: 1e-4 } }, train_iters: 1, lr_decay_iters: 1,
    }));
    return loadConfig([file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function randomPrompts(batch: number, length: number): number[][] {
  let state = 12345;
  return Array.from({ length: batch }, () => Array.from({ length }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % SHAPE.vocab;
  }));
}

/** The engine side: one warm-up run at construction, then run() times one generation. */
async function engineRunner(engine: Engine, batch: number, prompt: number, newTokens: number): Promise<() => Promise<number>> {
  const prompts = randomPrompts(batch, prompt);
  const run = async () => {
    const started = performance.now();
    const out = await generateBatch(engine, prompts, { maxTokens: newTokens, temperature: 0, stopAtEod: false }, null);
    if (out.some((ids) => ids.length !== newTokens)) throw new Error('engine generated fewer tokens than asked');
    return (performance.now() - started) / 1000;
  };
  await run();
  return run;
}

interface HfRunner {
  detail: string;
  run(): Promise<number>;
  close(): void;
}

/** transformers in its own process (generate_hf.py), warmed up; run() times one generation there. */
async function hfRunner(batch: number, prompt: number, newTokens: number, threads: number): Promise<HfRunner> {
  const spec = {
    layers: SHAPE.layers, hidden: SHAPE.hidden, heads: SHAPE.heads, vocab: SHAPE.vocab, rotary_pct: SHAPE.rotaryPct,
    max_pos: SHAPE.maxPos, batch, prompt, new_tokens: newTokens, threads,
  };
  const child = spawn(join(packageRoot(), '.venv', 'bin', 'python'), [join(packageRoot(), 'test', 'bench', 'generate_hf.py'), JSON.stringify(spec)], {
    // PASSIVE: torch's idle OpenMP threads sleep instead of spinning into the engine's turn.
    env: { ...process.env, OMP_NUM_THREADS: String(threads), OMP_WAIT_POLICY: 'PASSIVE' }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const line = await lines.next();
    if (line.done) throw new Error(`generate_hf.py ended early: ${stderr.slice(-2000)}`);
    return JSON.parse(line.value) as Record<string, unknown>;
  };
  const ready = await next();
  return {
    detail: `transformers ${String(ready.transformers)}, torch ${String(ready.torch)}, ${String(ready.attention)} attention, threads ${String(ready.threads)}`,
    run: async () => {
      child.stdin.write('run\n');
      return (await next()).seconds as number;
    },
    close: () => child.stdin.end(),
  };
}

export async function main(args: string[]): Promise<void> {
  const threads = Number(option(args, '--threads') ?? cpus().length);
  const runs = Number(option(args, '--runs') ?? 5);
  const prompt = Number(option(args, '--prompt') ?? 32);
  const newTokens = Number(option(args, '--new-tokens') ?? 128);
  const batches = (option(args, '--batches') ?? '1,8').split(',').map(Number);
  const engine = await createEngine(engineConfig(), { threads, seed: 1 });
  const kernels = /Haswell|SkylakeX|Zen|Sandybridge/i.exec(loadNative().buildInfo().blas)?.[0] ?? 'default';
  process.stdout.write(
    `generate bench: ${SHAPE.name} shape (random weights), fp32, greedy, prompt ${prompt} + ${newTokens} new tokens, ` +
      `${threads} threads, 1 warm-up + ${runs} timed runs per side (interleaved), ${new Date().toISOString()}\n`,
  );
  process.stdout.write(`${'batch'.padEnd(7)}${'neox tok/s'.padStart(18)}${'HF tok/s'.padStart(18)}${'ratio'.padStart(14)}${'neox ms/step'.padStart(14)}${'HF ms/step'.padStart(12)}\n`);
  let hfDetail = '';
  try {
    for (const batch of batches) {
      const runEngine = await engineRunner(engine, batch, prompt, newTokens);
      const hf = await hfRunner(batch, prompt, newTokens, threads);
      hfDetail = hf.detail;
      const ours: number[] = [];
      const theirs: number[] = [];
      try {
        for (let r = 0; r < runs; r++) {
          ours.push(await runEngine());
          theirs.push(await hf.run());
        }
      } finally {
        hf.close();
      }
      const tokens = batch * newTokens;
      const rate = (s: number[]) => ({ median: tokens / median(s), best: tokens / Math.min(...s) });
      const a = rate(ours);
      const b = rate(theirs);
      process.stdout.write(
        `${String(batch).padEnd(7)}${`${a.median.toFixed(0)} (${a.best.toFixed(0)})`.padStart(18)}${`${b.median.toFixed(0)} (${b.best.toFixed(0)})`.padStart(18)}` +
          `${`${(a.median / b.median).toFixed(2)} (${(a.best / b.best).toFixed(2)})`.padStart(14)}` +
          `${((median(ours) * 1000) / newTokens).toFixed(1).padStart(14)}${((median(theirs) * 1000) / newTokens).toFixed(1).padStart(12)}\n`,
      );
    }
  } finally {
    engine.close();
  }
  process.stdout.write(`neox: threads ${engine.threads}, OpenBLAS ${kernels} kernels; HF: ${hfDetail}\n`);
  process.stdout.write('tokens/s = batch × new tokens / run time (prefill included), median (best) run; ratio = neox / HF; ms/step = run time / new tokens\n');
}
