/**
 * `npm run bench -- train [--steps N] [--warmup N] [--threads N] [--shapes a,b] [--no-compile]`:
 * training throughput (forward + backward + clipping + AdamW step) of the native engine against
 * PyTorch on the same shapes, threads and batch, each side in its own process (so peak resident
 * memory is each side's own). Prints tokens/s (best and median step), the ratio, achieved
 * GFLOP/s (6N + 12·L·T·d per token, N = parameters in matrix products) and peak RSS.
 *
 * PyTorch runs its fastest setup found here (BENCHMARKS.md): torch.compile, fused AdamW,
 * MKL_ENABLE_INSTRUCTIONS=AVX512 (MKL picks AVX2 kernels on AMD otherwise), OMP_WAIT_POLICY=PASSIVE,
 * OMP_NUM_THREADS = torch.set_num_threads = the thread count. The engine side loads the addon
 * through native/ts/native.ts (which selects OpenBLAS's AVX-512 kernels unless OPENBLAS_CORETYPE is already
 * set: this machine's environment presets Haswell, so BENCHMARKS.md runs it both ways) with the same threads.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadConfig } from '../../common/config';
import { packageRoot } from '../../common/paths';
import { createEngine, loadNative } from '../../native/ts/native';

interface Shape {
  name: string;
  layers: number;
  hidden: number;
  heads: number;
  vocab: number;
  batch: number;
  seq: number;
  posEmb: 'rotary' | 'learned';
  rotaryPct: number;
  parallelResidual: boolean;
  tied: boolean;
}

const PYTHIA = { vocab: 50304, posEmb: 'rotary', rotaryPct: 0.25, parallelResidual: true, tied: false } as const;
const GPT2 = { vocab: 50304, posEmb: 'learned', rotaryPct: 1, parallelResidual: false, tied: true } as const;

export const SHAPES: Shape[] = [
  { name: 'pythia-14m', layers: 6, hidden: 128, heads: 4, batch: 8, seq: 256, ...PYTHIA },
  { name: 'pythia-70m', layers: 6, hidden: 512, heads: 8, batch: 8, seq: 256, ...PYTHIA },
  { name: 'pythia-70m-2k', layers: 6, hidden: 512, heads: 8, batch: 1, seq: 2048, ...PYTHIA },
  { name: 'gpt2-124m', layers: 12, hidden: 768, heads: 12, batch: 4, seq: 256, ...GPT2 },
];

interface RunSpec {
  shape: Shape;
  threads: number;
  warmup: number;
  steps: number;
}

interface SideResult {
  stepSeconds: number[];
  peakRssBytes: number;
  detail: string;
}

/** FLOPs per trained token: 6N + 12·L·T·d (reference: performance-notes.md). */
export function flopsPerToken(s: Shape): number {
  const matmulParams = s.layers * 12 * s.hidden * s.hidden + s.vocab * s.hidden;
  return 6 * matmulParams + 12 * s.layers * s.seq * s.hidden;
}

/** The engine's config for a shape (GPT-NeoX keys), resolved by the real loader. */
function engineConfig(shape: Shape) {
  const dir = mkdtempSync(join(tmpdir(), 'neox-bench-'));
  try {
    const file = join(dir, 'bench.yml');
    writeFileSync(file, JSON.stringify({
      num_layers: shape.layers, hidden_size: shape.hidden, num_attention_heads: shape.heads,
      seq_length: shape.seq, max_position_embeddings: shape.seq, pos_emb: shape.posEmb, rotary_pct: shape.rotaryPct,
      gpt_j_residual: shape.parallelResidual, no_weight_tying: !shape.tied, norm: 'layernorm', activation: 'gelu',
      bias_gelu_fusion: true, tokenizer_vocab_size: shape.vocab, make_vocab_size_divisible_by: 128,
      train_micro_batch_size_per_gpu: shape.batch, gradient_accumulation_steps: 1, checkpoint_activations: false,
      hidden_dropout: 0, attention_dropout: 0, init_method: 'small_init', output_layer_init_method: 'wang_init',
      optimizer: { type: 'Adam', params: { lr: 1e-4, betas: [0.9, 0.95], eps: 1e-8 } }, weight_decay: 0.1,
      gradient_clipping: 1.0, train_iters: 100, lr_decay_iters: 100,
    }));
    return loadConfig([file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The engine side, in this (child) process. */
async function engineWorker(spec: RunSpec): Promise<SideResult> {
  const { shape } = spec;
  const engine = await createEngine(engineConfig(shape), { threads: spec.threads, seed: 1 });
  let state = 12345;
  const tokens = Int32Array.from({ length: shape.batch * (shape.seq + 1) }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % shape.vocab;
  });
  const stepSeconds: number[] = [];
  const phases = { forwardMs: 0, backwardMs: 0, optimizerMs: 0 };
  for (let step = 0; step < spec.warmup + spec.steps; step++) {
    const started = performance.now();
    const result = await engine.trainStep(tokens, null, 1e-4, step);
    if (step < spec.warmup) continue;
    stepSeconds.push((performance.now() - started) / 1000);
    phases.forwardMs += result.timings.forwardMs / spec.steps;
    phases.backwardMs += result.timings.backwardMs / spec.steps;
    phases.optimizerMs += result.timings.optimizerMs / spec.steps;
  }
  engine.close();
  const kernels = /Haswell|SkylakeX|Zen|Sandybridge/i.exec(loadNative().buildInfo().blas)?.[0] ?? 'default';
  const detail = `threads ${engine.threads}, OpenBLAS ${kernels} kernels, mean ms: forward+loss ${phases.forwardMs.toFixed(0)}, backward ${phases.backwardMs.toFixed(0)}, optimizer ${phases.optimizerMs.toFixed(0)}`;
  return { stepSeconds, peakRssBytes: process.resourceUsage().maxRSS * 1024, detail };
}

function runChild(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}: ${err.slice(-2000)}`))));
  });
}

async function runEngine(spec: RunSpec): Promise<SideResult> {
  const out = await runChild(process.execPath, [join(packageRoot(), 'dist', 'test', 'bench', 'main.js'), 'train', '--engine-worker', JSON.stringify(spec)], process.env);
  return JSON.parse(out.trim().split('\n').at(-1)!) as SideResult;
}

async function runTorch(spec: RunSpec, compile: boolean): Promise<SideResult> {
  const s = spec.shape;
  const torchSpec = {
    layers: s.layers, hidden: s.hidden, heads: s.heads, vocab: s.vocab, batch: s.batch, seq: s.seq, pos_emb: s.posEmb,
    rotary_pct: s.rotaryPct, parallel_residual: s.parallelResidual, tied: s.tied, threads: spec.threads,
    warmup: spec.warmup, steps: spec.steps, compile,
  };
  const env = {
    ...process.env, OMP_NUM_THREADS: String(spec.threads), OMP_WAIT_POLICY: 'PASSIVE', MKL_ENABLE_INSTRUCTIONS: 'AVX512',
  };
  const out = await runChild(join(packageRoot(), '.venv', 'bin', 'python'), [join(packageRoot(), 'test', 'bench', 'train_torch.py'), JSON.stringify(torchSpec)], env);
  const parsed = JSON.parse(out.trim().split('\n').at(-1)!) as { step_seconds: number[]; peak_rss_bytes: number; torch: string; compiled: boolean; optimizer: string; threads: number };
  return {
    stepSeconds: parsed.step_seconds, peakRssBytes: parsed.peak_rss_bytes,
    detail: `torch ${parsed.torch}, threads ${parsed.threads}, ${parsed.compiled ? 'torch.compile' : 'eager'}, ${parsed.optimizer}`,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function option(args: string[], name: string): string | null {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1]! : null;
}

export async function main(args: string[]): Promise<void> {
  if (args[0] === '--engine-worker') {
    process.stdout.write(`${JSON.stringify(await engineWorker(JSON.parse(args[1]!) as RunSpec))}\n`);
    return;
  }
  const threads = Number(option(args, '--threads') ?? cpus().length);
  const steps = Number(option(args, '--steps') ?? 5);
  const warmup = Number(option(args, '--warmup') ?? 2);
  const only = option(args, '--shapes')?.split(',') ?? null;
  const compile = !args.includes('--no-compile');
  const shapes = SHAPES.filter((s) => !only || only.includes(s.name));
  process.stdout.write(`train bench: ${threads} threads, ${warmup} warm-up + ${steps} timed steps per side, fp32, ${new Date().toISOString()}\n`);
  process.stdout.write(`${'shape'.padEnd(15)}${'B×T'.padEnd(9)}${'neox tok/s'.padStart(17)}${'torch tok/s'.padStart(17)}${'ratio'.padStart(13)}${'neox GFLOP/s'.padStart(14)}${'torch GFLOP/s'.padStart(15)}${'neox RSS'.padStart(10)}${'torch RSS'.padStart(11)}\n`);
  for (const shape of shapes) {
    const spec: RunSpec = { shape, threads, warmup, steps };
    const ours = await runEngine(spec);
    const theirs = await runTorch(spec, compile);
    const tokens = shape.batch * shape.seq;
    const rate = (r: SideResult) => ({ best: tokens / Math.min(...r.stepSeconds), median: tokens / median(r.stepSeconds) });
    const a = rate(ours);
    const b = rate(theirs);
    const gflops = (tps: number) => ((tps * flopsPerToken(shape)) / 1e9).toFixed(0);
    const gb = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;
    process.stdout.write(
      `${shape.name.padEnd(15)}${`${shape.batch}×${shape.seq}`.padEnd(9)}` +
        `${`${a.median.toFixed(0)} (${a.best.toFixed(0)})`.padStart(17)}${`${b.median.toFixed(0)} (${b.best.toFixed(0)})`.padStart(17)}` +
        `${`${(a.median / b.median).toFixed(2)} (${(a.best / b.best).toFixed(2)})`.padStart(13)}` +
        `${gflops(a.median).padStart(14)}${gflops(b.median).padStart(15)}${gb(ours.peakRssBytes).padStart(10)}${gb(theirs.peakRssBytes).padStart(11)}\n`,
    );
    process.stdout.write(`${''.padEnd(24)}neox: ${ours.detail}; torch: ${theirs.detail}\n`);
  }
  process.stdout.write('tokens/s as median (best) step; ratio = neox / torch\n');
}
