/**
 * One rank of a layout run (started by launchLocal from run-layout.ts): builds the engine at its
 * place in the layout, optionally resumes from a checkpoint, trains the fixed data up to
 * spec.steps steps on its data-parallel slice (saving a checkpoint on the way when asked), and
 * reports every step's loss and gradient norm.
 * argv[2]: the LayoutRunSpec as JSON.
 */
import { createEngine } from '../../native/ts/native';
import { engineParallelOptions, launchedRank, reportResult } from '../../node/launch';
import { trainStepTokens } from '../../node/actor/batches';
import { loadDistributedCheckpoint, saveDistributedCheckpoint } from '../../node/actor/distributed-checkpoint';
import { FixedTokens, layoutConfig, layoutLr, type LayoutRunSpec } from './layout-config';

export interface RankReport {
  rank: number;
  /** The first step this run trained (the checkpoint's step when resuming). */
  firstStep: number;
  /** The blocks [first, end) this rank's pipeline stage holds. */
  stageLayers: [number, number];
  losses: number[];
  gradNorms: number[];
  skipped: boolean[];
  /** The tensor each step named as non-finite (null when none). */
  nonFinite: (string | null)[];
  stepMs: number[];
  gradientSyncMs: number[];
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
  const firstStep = spec.load ? loadDistributedCheckpoint(spec.load.dir, engine, { step: null, noLoadOptim: false }).step : 0;
  const report: RankReport = { rank: me.rank, firstStep, stageLayers: engine.parallel.stageLayers, losses: [], gradNorms: [], skipped: [], nonFinite: [], stepMs: [], gradientSyncMs: [] };
  for (let step = firstStep; step < spec.steps; step++) {
    const poison = spec.poison;
    if (poison && poison.rank === me.rank && poison.beforeStep === step) {
      engine.setTensor(poison.tensor, new Float32Array(engine.getTensor(poison.tensor).length).fill(Number.NaN));
    }
    const tokens = trainStepTokens(source, step, dpRank, batch);
    const result = await engine.trainStep(tokens, null, layoutLr(step), step);
    report.losses.push(result.loss);
    report.gradNorms.push(result.gradNorm);
    report.skipped.push(result.skipped);
    report.nonFinite.push(result.nonFinite?.tensor ?? null);
    report.stepMs.push(result.timings.totalMs);
    report.gradientSyncMs.push(result.timings.gradientSyncMs);
    if (spec.save && step + 1 === spec.save.afterSteps) {
      const iteration = step + 1;
      await saveDistributedCheckpoint({
        saveDir: spec.save.dir, engine, step: iteration, trainerState: { iteration, optimizer_step: engine.optimizerStep() },
        config: {}, keepLast: null,
      });
    }
  }
  engine.close();
  await reportResult(report);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
