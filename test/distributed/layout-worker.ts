/**
 * One rank of a layout run (started by launchLocal from run-layout.ts): builds the engine at its
 * place in the layout, trains the fixed data for spec.steps steps on its data-parallel slice, and
 * reports every step's loss and gradient norm plus a checksum of its parameters.
 * argv[2]: the LayoutRunSpec as JSON.
 */
import { createEngine } from '../../native/ts/native';
import { engineParallelOptions, launchedRank, reportResult } from '../../node/launch';
import { trainStepTokens } from '../../node/actor/batches';
import { FixedTokens, layoutConfig, layoutLr, type LayoutRunSpec } from './layout-config';

export interface RankReport {
  rank: number;
  losses: number[];
  gradNorms: number[];
  skipped: boolean[];
  stepMs: number[];
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]!) as LayoutRunSpec;
  const me = launchedRank();
  const config = layoutConfig(spec);
  const engine = await createEngine(config, { threads: me.threads, seed: null, parallel: engineParallelOptions(me) });
  const { tp, pp } = spec.layout;
  const dpRank = Math.floor(me.rank / (tp * pp));
  const source = new FixedTokens(config.seq_length, config.padded_vocab_size!);
  const batch = {
    microBatchSize: config.train_micro_batch_size_per_gpu,
    dataParallelSize: config.data_parallel_size,
    gradientAccumulationSteps: config.gradient_accumulation_steps,
  };
  const report: RankReport = { rank: me.rank, losses: [], gradNorms: [], skipped: [], stepMs: [] };
  for (let step = 0; step < spec.steps; step++) {
    const tokens = trainStepTokens(source, step, dpRank, batch);
    const result = await engine.trainStep(tokens, null, layoutLr(step), step);
    report.losses.push(result.loss);
    report.gradNorms.push(result.gradNorm);
    report.skipped.push(result.skipped);
    report.stepMs.push(result.timings.totalMs);
  }
  engine.close();
  await reportResult(report);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
