/**
 * Distributed checkpoints across layouts: a run at (dp,tp,pp) = (2,2,1) with ZeRO 1 saves after 5
 * of 10 steps (every rank writes the boxes of its tensor-parallel shard, ZeRO moments gathered
 * first; rank 0 commits); loading at (1,1,1), (1,1,2), at (4,1,1) with ZeRO 2 and at (1,2,1) continues with
 * the losses of the uninterrupted run (within 1e-5 relative), and resuming at the saving layout
 * repeats them bitwise.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import test from 'ava';

import { Checkpoint } from '../../common/checkpoint';
import { assertClose } from './layout-assertions';
import type { Layout } from './layout-config';
import { runLayout } from './run-layout';

const STEPS = 10;
const SAVE_AFTER = 5;

test.serial('a checkpoint saved at (2,2,1) with ZeRO 1 resumes at (1,1,1), (1,1,2), (4,1,1) ZeRO 2, (1,2,1) and bitwise at its own layout', async (t) => {
  const saveDir = mkdtempSync(join(tmpdir(), 'neox-dist-ckpt-'));
  t.teardown(() => rmSync(saveDir, { recursive: true, force: true }));
  const saved = await runLayout({ dp: 2, tp: 2, pp: 1 }, { zeroStage: 1, steps: STEPS, save: { dir: saveDir, afterSteps: SAVE_AFTER } });
  const expected = saved[0]!.losses.slice(SAVE_AFTER);
  const expectedNorms = saved[0]!.gradNorms.slice(SAVE_AFTER);

  const checkpoint = Checkpoint.open(saveDir);
  try {
    t.is(checkpoint.step, SAVE_AFTER);
    t.deepEqual(checkpoint.manifest.topology, { world_size: 4, data_parallel_size: 2, model_parallel_size: 2, pipe_parallel_size: 1, zero_stage: 1 });
    t.deepEqual(Object.keys(checkpoint.manifest.files).sort(), [0, 1, 2, 3].map((r) => `rank_0000${r}.safetensors`));
    // A column-parallel tensor is stored as the two tensor-parallel halves, at global offsets.
    const qkv = checkpoint.tensor('layers.0.attention.query_key_value.weight');
    t.deepEqual(qkv.boxes.map((b) => b.start).sort((a, b) => a[0]! - b[0]!), [[0, 0], [48, 0]]);
    t.true(checkpoint.tensorNames().some((name) => name.startsWith('optimizer.exp_avg_sq.')));
  } finally {
    checkpoint.close();
  }
  t.deepEqual(readdirSync(saveDir).sort(), ['global_step5', 'latest'], 'no temporary files are left');

  const resumes: [Layout, number][] = [
    [{ dp: 1, tp: 1, pp: 1 }, 0], [{ dp: 1, tp: 1, pp: 2 }, 0], [{ dp: 4, tp: 1, pp: 1 }, 2], [{ dp: 1, tp: 2, pp: 1 }, 0],
  ];
  for (const [layout, zeroStage] of resumes) {
    const name = `(${layout.dp},${layout.tp},${layout.pp}) ZeRO ${zeroStage}`;
    const reports = await runLayout(layout, { zeroStage, steps: STEPS, load: { dir: saveDir } });
    t.is(reports[0]!.firstStep, SAVE_AFTER, name);
    assertClose(t, reports[0]!.losses, expected, `${name} loss`, SAVE_AFTER);
    assertClose(t, reports[0]!.gradNorms, expectedNorms, `${name} gradient norm`, SAVE_AFTER);
  }
  const same = await runLayout({ dp: 2, tp: 2, pp: 1 }, { zeroStage: 1, steps: STEPS, load: { dir: saveDir } });
  t.deepEqual(same[0]!.losses, expected, 'resuming at the saving layout repeats the losses bitwise');
  t.deepEqual(same[3]!.gradNorms, saved[3]!.gradNorms.slice(SAVE_AFTER));
});

test.serial('a checkpoint saved by pipeline stages with tied embeddings resumes in one process', async (t) => {
  const saveDir = mkdtempSync(join(tmpdir(), 'neox-dist-ckpt-'));
  t.teardown(() => rmSync(saveDir, { recursive: true, force: true }));
  const extra = { pos_emb: 'learned', no_weight_tying: false, gpt_j_residual: false };
  const saved = await runLayout({ dp: 1, tp: 2, pp: 2 }, { steps: STEPS, extra, save: { dir: saveDir, afterSteps: SAVE_AFTER } });
  const resumed = await runLayout({ dp: 1, tp: 1, pp: 1 }, { steps: STEPS, extra, load: { dir: saveDir } });
  assertClose(t, resumed[0]!.losses, saved[0]!.losses.slice(SAVE_AFTER), '(1,1,1) after (1,2,2) loss', SAVE_AFTER);
});
