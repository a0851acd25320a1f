/**
 * Data-parallel step overhead: the same global batch trained by one process (all cores) and by
 * dp = 2 processes (half the cores each; gradient accumulation halves), at a model whose
 * gradients are large enough for the all-reduce to matter (Pythia-14M's shape: 6 layers,
 * hidden 128, vocabulary 50304 untied, 14M parameters = 56 MB of fp32 gradients per step).
 * Reports the median step time after warm-up and the overhead of each dp=2 variant against the
 * single process: ZeRO 0 with the bucket reductions overlapped with backward and without, ZeRO 1
 * and ZeRO 2 (overlapped); then tensor parallel (tp=2) and pipeline parallel (pp=2, 1F1B) at the
 * same batch, for comparison (no gradient reduction there: the wait column is 0). A second column compares with perfect scaling of one 1-thread process
 * (half its step time: each dp=2 rank computes half the batch on one thread), which isolates
 * what communication and synchronisation cost, since one process on all cores does not scale
 * linearly with threads. The wait column is how long the compute thread waited for the gradient
 * reduction after backward: with overlapped buckets only what backward did not hide.
 */
import { availableParallelism } from 'node:os';

import type { Layout } from '../distributed/layout-config';
import type { RankReport } from '../distributed/layout-worker';
import { runLayout } from '../distributed/run-layout';

export const DP_MODEL = {
  num_layers: 6, hidden_size: 128, num_attention_heads: 4, seq_length: 256, max_position_embeddings: 256,
  tokenizer_vocab_size: 50304, make_vocab_size_divisible_by: 128,
};
const STEPS = 8;
const WARMUP = 2;
/** Elements per gradient bucket: about a layer's worth, so buckets finish during backward. */
const BUCKET = 2_000_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Timing {
  ms: number;
  /** Median wait for the gradient reduction after backward (slowest rank per step). */
  syncMs: number;
}

async function stepMs(layout: Layout, zeroStage: number, overlap: boolean, threadsPerRank: number | null = null): Promise<Timing> {
  const world = layout.dp * layout.tp * layout.pp;
  const reports = await runLayout(layout, {
    zeroStage, overlap, steps: STEPS, threadsPerRank: threadsPerRank ?? Math.max(1, Math.floor(availableParallelism() / world)),
    extra: { ...DP_MODEL, zero_optimization: { stage: zeroStage, overlap_comm: overlap, reduce_bucket_size: BUCKET } },
  });
  // A step ends when its slowest rank does.
  const slowest = (values: (r: RankReport) => number[]) => reports[0]!.stepMs.map((_, s) => Math.max(...reports.map((r) => values(r)[s]!)));
  return { ms: median(slowest((r) => r.stepMs).slice(WARMUP)), syncMs: median(slowest((r) => r.gradientSyncMs).slice(WARMUP)) };
}

export interface DpStepRow {
  variant: string;
  ms: number;
  /** Of which waiting for the gradient reduction after backward. */
  syncMs: number;
  /** Against one process on all cores. */
  overheadPercent: number | null;
  /** Against half the step time of one 1-thread process (perfect 2-way scaling). */
  overIdealPercent: number | null;
}

export async function measureDpStep(): Promise<DpStepRow[]> {
  const singleLayout = { dp: 1, tp: 1, pp: 1 };
  const single = (await stepMs(singleLayout, 0, false)).ms;
  const oneThread = (await stepMs(singleLayout, 0, false, 1)).ms;
  const ideal = oneThread / 2;
  const rows: DpStepRow[] = [
    { variant: `dp=1 (1 process, ${Math.max(1, availableParallelism())} threads, GAS 4)`, ms: single, syncMs: 0, overheadPercent: null, overIdealPercent: null },
    { variant: 'dp=1 (1 process, 1 thread, GAS 4)', ms: oneThread, syncMs: 0, overheadPercent: null, overIdealPercent: null },
  ];
  const dp2 = { dp: 2, tp: 1, pp: 1 };
  const variants: [string, Layout, number, boolean][] = [
    ['dp=2 ZeRO 0, overlapped buckets', dp2, 0, true],
    ['dp=2 ZeRO 0, reduce after backward', dp2, 0, false],
    ['dp=2 ZeRO 1, overlapped buckets', dp2, 1, true],
    ['dp=2 ZeRO 2, overlapped buckets', dp2, 2, true],
    ['tp=2 (GAS 4)', { dp: 1, tp: 2, pp: 1 }, 0, false],
    ['pp=2 (1F1B over 4 micro-batches)', { dp: 1, tp: 1, pp: 2 }, 0, false],
  ];
  for (const [variant, layout, zero, overlap] of variants) {
    const { ms, syncMs } = await stepMs(layout, zero, overlap);
    rows.push({ variant, ms, syncMs, overheadPercent: (100 * (ms - single)) / single, overIdealPercent: (100 * (ms - ideal)) / ideal });
  }
  return rows;
}

export function printDpStep(rows: DpStepRow[]): void {
  console.log(`Step time of 2-process layouts at the same global batch (4 × ${DP_MODEL.seq_length} tokens, micro-batch 1), Pythia-14M shape,`);
  console.log(`gradient buckets of ${BUCKET / 1e6}M elements; median of steps ${WARMUP + 1}-${STEPS}; each process gets cores / processes threads`);
  console.log('');
  console.log('  variant                                  step time   grad sync wait   vs dp=1 all cores   vs ideal (1-thread / 2)');
  const percent = (value: number | null) => (value === null ? '' : `${value >= 0 ? '+' : ''}${value.toFixed(1)}%`);
  for (const row of rows) {
    console.log(`  ${row.variant.padEnd(40)} ${`${row.ms.toFixed(0)} ms`.padStart(9)}   ${`${row.syncMs.toFixed(0)} ms`.padStart(14)}` +
      `   ${percent(row.overheadPercent).padStart(17)}   ${percent(row.overIdealPercent).padStart(23)}`);
  }
}
