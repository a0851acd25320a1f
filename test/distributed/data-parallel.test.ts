/**
 * Data parallelism across OS processes (one thread each): 10 steps of the tiny config at
 * (dp, tp, pp) = (2,1,1) and (4,1,1) with ZeRO 0, 1 and 2 give the (1,1,1) losses and gradient
 * norms within 1e-5 relative, every rank reports the same numbers, a repeated layout is bitwise
 * identical, overlapping the bucket reductions with backward changes no bit, and a non-finite loss
 * on one rank skips the step on every rank.
 */
import test from 'ava';

import { NativeInvalidArgumentError } from '../../native/ts/errors';
import { createEngine } from '../../native/ts/native';
import { assertClose, assertRanksAgree } from './layout-assertions';
import { layoutConfig } from './layout-config';
import type { RankReport } from './layout-worker';
import { runLayout } from './run-layout';

const single = { dp: 1, tp: 1, pp: 1 };
let reference: Promise<RankReport[]> | null = null;
const referenceRun = () => (reference ??= runLayout(single));

for (const [dp, zeroStage] of [[2, 0], [2, 1], [2, 2], [4, 1], [4, 2]] as const) {
  test.serial(`(${dp},1,1) with ZeRO ${zeroStage} trains like (1,1,1)`, async (t) => {
    const [expected] = await referenceRun();
    const reports = await runLayout({ dp, tp: 1, pp: 1 }, { zeroStage });
    t.is(reports.length, dp);
    assertRanksAgree(t, reports);
    t.false(reports[0]!.skipped.some((s) => s));
    assertClose(t, reports[0]!.losses, expected!.losses, 'loss');
    assertClose(t, reports[0]!.gradNorms, expected!.gradNorms, 'gradient norm');
    // The losses move (the test would not notice a frozen model otherwise).
    t.not(reports[0]!.losses[9], reports[0]!.losses[0]);
  });
}

test.serial('a repeated layout is bitwise identical, with or without overlapping the reductions', async (t) => {
  const first = await runLayout({ dp: 2, tp: 1, pp: 1 }, { zeroStage: 2 });
  const again = await runLayout({ dp: 2, tp: 1, pp: 1 }, { zeroStage: 2 });
  const serial = await runLayout({ dp: 2, tp: 1, pp: 1 }, { zeroStage: 2, overlap: false });
  t.deepEqual(again[0]!.losses, first[0]!.losses);
  t.deepEqual(again[0]!.gradNorms, first[0]!.gradNorms);
  t.deepEqual(serial[0]!.losses, first[0]!.losses);
  t.deepEqual(serial[0]!.gradNorms, first[0]!.gradNorms);
});

test.serial('a non-finite loss on one rank skips the step on every rank', async (t) => {
  // Rank 2 of (2,2,1) (dp rank 1, tp rank 0) poisons its shard of the MLP before step 3.
  const reports = await runLayout({ dp: 2, tp: 2, pp: 1 }, { zeroStage: 1, steps: 5, poison: { rank: 2, beforeStep: 3, tensor: 'layers.1.mlp.linear2.weight' } });
  for (const report of reports) {
    t.deepEqual(report.skipped, [false, false, false, true, true], `rank ${report.rank}`);
    t.deepEqual(report.nonFinite, [null, null, null, 'loss', 'loss'], `rank ${report.rank}`);
  }
});

test('a config for several ranks needs the parallel options', async (t) => {
  const config = layoutConfig({ layout: { dp: 2, tp: 1, pp: 1 }, zeroStage: 0, steps: 1, overlap: false, extra: {}, save: null, load: null, poison: null });
  const error = await t.throwsAsync(createEngine(config, { threads: 1, seed: null }), { instanceOf: NativeInvalidArgumentError });
  t.is(error!.message, 'the config describes a world of 2 ranks (data_parallel_size 2 × model_parallel_size 1 × pipeline stages 1); ' +
    'create the engine with its rank and rendezvous (parallel options) or load the config with worldSize 1');
});
