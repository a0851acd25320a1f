/**
 * Pipeline parallelism (1F1B over the gradient-accumulation micro-batches, stages as OS
 * processes): 10 steps at (1,1,2), (1,2,2) and (2,1,2) with ZeRO 0/1/2 equal the (1,1,1) losses and
 * gradient norms within 1e-5 relative; tied embeddings (kept in sync between the first and last
 * stage) and four stages too; pipe_partition_method decides which blocks each stage holds.
 */
import test from 'ava';

import { assertClose, assertRanksAgree } from './layout-assertions';
import type { Layout } from './layout-config';
import type { RankReport } from './layout-worker';
import { runLayout } from './run-layout';

const TIED = { pos_emb: 'learned', no_weight_tying: false, gpt_j_residual: false, bias_gelu_fusion: true };
const FOUR_LAYERS = { num_layers: 4 };

const references = new Map<string, Promise<RankReport[]>>();
function reference(extra: Record<string, unknown>): Promise<RankReport[]> {
  const key = JSON.stringify(extra);
  if (!references.has(key)) references.set(key, runLayout({ dp: 1, tp: 1, pp: 1 }, { extra }));
  return references.get(key)!;
}

const CASES: [string, Layout, number, Record<string, unknown>][] = [
  ['pythia', { dp: 1, tp: 1, pp: 2 }, 0, {}],
  ['pythia', { dp: 1, tp: 2, pp: 2 }, 0, {}],
  ['pythia', { dp: 2, tp: 1, pp: 2 }, 0, {}],
  ['pythia', { dp: 2, tp: 1, pp: 2 }, 1, {}],
  ['pythia', { dp: 2, tp: 1, pp: 2 }, 2, {}],
  ['gpt-2 (tied, learned positions)', { dp: 1, tp: 1, pp: 2 }, 0, TIED],
  ['gpt-2 (tied, learned positions)', { dp: 2, tp: 1, pp: 2 }, 2, TIED],
  ['4 layers', { dp: 1, tp: 1, pp: 4 }, 0, FOUR_LAYERS],
];

for (const [name, layout, zeroStage, extra] of CASES) {
  test.serial(`${name}: (${layout.dp},${layout.tp},${layout.pp}) with ZeRO ${zeroStage} trains like (1,1,1)`, async (t) => {
    const [expected] = await reference(extra);
    const reports = await runLayout(layout, { zeroStage, extra });
    assertRanksAgree(t, reports);
    assertClose(t, reports[0]!.losses, expected!.losses, 'loss');
    assertClose(t, reports[0]!.gradNorms, expected!.gradNorms, 'gradient norm');
  });
}

test.serial('pipe_partition_method decides which blocks each stage holds', async (t) => {
  const stages = async (method: string, layers: number, pp: number) => {
    const reports = await runLayout({ dp: 1, tp: 1, pp }, { steps: 1, extra: { num_layers: layers, pipe_partition_method: method } });
    return reports.map((r) => r.stageLayers);
  };
  // Blocks only: as even as possible, earlier stages first.
  t.deepEqual(await stages('type:transformer|mlp', 3, 2), [[0, 2], [2, 3]]);
  // Every layer weighs 1: the embedding and the final norm + output count too.
  t.deepEqual(await stages('uniform', 4, 2), [[0, 3], [3, 4]]);
  // By parameters: the 128 × 32 embedding and output weigh like ~1/3 of a block each here.
  t.deepEqual(await stages('parameters', 4, 2), [[0, 2], [2, 4]]);
});

test.serial('a pipeline layout repeats bitwise', async (t) => {
  const first = await runLayout({ dp: 1, tp: 1, pp: 2 }, { extra: TIED });
  const again = await runLayout({ dp: 1, tp: 1, pp: 2 }, { extra: TIED });
  t.deepEqual(again[0]!.losses, first[0]!.losses);
  t.deepEqual(again[1]!.gradNorms, first[1]!.gradNorms);
});
