/**
 * Dropout keys follow the rows, not the layout: a micro-batch's masks are keyed by its index in
 * the single-process order ((step·GAS + m)·dp + dp rank), by global layer and, for attention
 * probabilities, by global head, so with hidden and attention dropout and activation
 * checkpointing, (2,1,1), (1,2,1), (1,1,2), (2,1,2) and (2,2,1) train like (1,1,1) within 1e-5.
 */
import test from 'ava';

import { assertClose } from './layout-assertions';
import type { Layout } from './layout-config';
import type { RankReport } from './layout-worker';
import { runLayout } from './run-layout';

const ALL_DROPOUT = { hidden_dropout: 0.1, attention_dropout: 0.1, checkpoint_activations: true };

const references = new Map<string, Promise<RankReport[]>>();
function reference(extra: Record<string, unknown>): Promise<RankReport[]> {
  const key = JSON.stringify(extra);
  if (!references.has(key)) references.set(key, runLayout({ dp: 1, tp: 1, pp: 1 }, { extra }));
  return references.get(key)!;
}

const CASES: [string, Layout, Record<string, unknown>][] = [
  ['hidden + attention dropout, checkpointing', { dp: 2, tp: 1, pp: 1 }, ALL_DROPOUT],
  ['hidden + attention dropout, checkpointing', { dp: 1, tp: 1, pp: 2 }, ALL_DROPOUT],
  ['hidden + attention dropout, checkpointing', { dp: 2, tp: 1, pp: 2 }, ALL_DROPOUT],
  ['hidden + attention dropout, checkpointing', { dp: 1, tp: 2, pp: 1 }, ALL_DROPOUT],
  ['hidden + attention dropout, checkpointing', { dp: 2, tp: 2, pp: 1 }, ALL_DROPOUT],
];

for (const [name, layout, extra] of CASES) {
  test.serial(`${name}: (${layout.dp},${layout.tp},${layout.pp}) trains like (1,1,1)`, async (t) => {
    const [expected] = await reference(extra);
    const reports = await runLayout(layout, { zeroStage: layout.dp > 1 ? 1 : 0, extra });
    assertClose(t, reports[0]!.losses, expected!.losses, 'loss');
    // Dropout is really on: the losses differ from the run without it.
    const [plain] = await reference({});
    t.notDeepEqual(reports[0]!.losses, plain!.losses);
  });
}
