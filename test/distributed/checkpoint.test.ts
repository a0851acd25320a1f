/**
 * Distributed checkpoints across layouts: a run at (2,1,1) with ZeRO 1 saves after 5 of 10 steps
 * (every rank writes its boxes, rank 0 commits); loading at (1,1,1), at (4,1,1) with ZeRO 2 and
 * at (2,1,1) with ZeRO 0 continues with the losses of the uninterrupted run (within 1e-5
 * relative), and resuming at the saving layout repeats them bitwise.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import test from 'ava';

import { Checkpoint } from '../../common/checkpoint';
import type { RankReport } from './layout-worker';
import { runLayout } from './run-layout';

const STEPS = 10;
const SAVE_AFTER = 5;

function assertClose(t: import('ava').ExecutionContext, actual: number[], expected: number[], what: string): void {
  t.is(actual.length, expected.length, what);
  actual.forEach((value, i) => {
    const relative = Math.abs(value - expected[i]!) / Math.abs(expected[i]!);
    t.true(relative <= 1e-5, `${what}, step ${SAVE_AFTER + i}: ${value} vs ${expected[i]} (relative ${relative.toExponential(2)})`);
  });
}

test.serial('a checkpoint saved at (2,1,1) with ZeRO 1 resumes at (1,1,1), (4,1,1) ZeRO 2, (2,1,1) ZeRO 0 and bitwise at its own layout', async (t) => {
  const saveDir = mkdtempSync(join(tmpdir(), 'neox-dist-ckpt-'));
  t.teardown(() => rmSync(saveDir, { recursive: true, force: true }));
  const saved = await runLayout({ dp: 2, tp: 1, pp: 1 }, { zeroStage: 1, steps: STEPS, save: { dir: saveDir, afterSteps: SAVE_AFTER } });
  const expected = saved[0]!.losses.slice(SAVE_AFTER);

  const checkpoint = Checkpoint.open(saveDir);
  try {
    t.is(checkpoint.step, SAVE_AFTER);
    t.deepEqual(checkpoint.manifest.topology, { world_size: 2, data_parallel_size: 2, model_parallel_size: 1, pipe_parallel_size: 1, zero_stage: 1 });
    // Both ranks wrote boxes, and every element of every tensor is stored once (commitCheckpoint checks volumes).
    t.deepEqual(Object.keys(checkpoint.manifest.files).sort(), ['rank_00000.safetensors', 'rank_00001.safetensors']);
    t.true(checkpoint.tensorNames().some((name) => name.startsWith('optimizer.exp_avg_sq.')));
  } finally {
    checkpoint.close();
  }
  t.deepEqual(readdirSync(saveDir).sort(), ['global_step5', 'latest'], 'no temporary files are left');

  const resumes: [string, () => Promise<RankReport[]>][] = [
    ['(1,1,1)', () => runLayout({ dp: 1, tp: 1, pp: 1 }, { steps: STEPS, load: { dir: saveDir } })],
    ['(4,1,1) ZeRO 2', () => runLayout({ dp: 4, tp: 1, pp: 1 }, { zeroStage: 2, steps: STEPS, load: { dir: saveDir } })],
  ];
  for (const [name, run] of resumes) {
    const reports = await run();
    t.is(reports[0]!.firstStep, SAVE_AFTER, name);
    assertClose(t, reports[0]!.losses, expected, name);
    assertClose(t, reports[0]!.gradNorms, saved[0]!.gradNorms.slice(SAVE_AFTER), `${name} gradient norm`);
  }
  const zero0 = await runLayout({ dp: 2, tp: 1, pp: 1 }, { zeroStage: 0, steps: STEPS, load: { dir: saveDir } });
  assertClose(t, zero0[0]!.losses, expected, '(2,1,1) ZeRO 0');
  const same = await runLayout({ dp: 2, tp: 1, pp: 1 }, { zeroStage: 1, steps: STEPS, load: { dir: saveDir } });
  t.deepEqual(same[0]!.losses, expected, 'resuming at the saving layout repeats the losses bitwise');
  t.deepEqual(same[1]!.gradNorms, saved[1]!.gradNorms.slice(SAVE_AFTER));
});
