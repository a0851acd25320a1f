/** Checks shared by the layout tests: per-step closeness to a reference, and agreement between ranks. */
import type { ExecutionContext } from 'ava';

import type { RankReport } from './layout-worker';

/** Every value within `relative` (1e-5 by default) of the reference, step by step. */
export function assertClose(t: ExecutionContext, actual: number[], expected: number[], what: string, firstStep = 0): void {
  t.is(actual.length, expected.length, `${what}: step count`);
  actual.forEach((value, i) => {
    const relative = Math.abs(value - expected[i]!) / Math.abs(expected[i]!);
    t.true(relative <= 1e-5, `${what} of step ${firstStep + i}: ${value} vs ${expected[i]} (relative ${relative.toExponential(2)})`);
  });
}

/** Every rank reports rank 0's losses and gradient norms bitwise. */
export function assertRanksAgree(t: ExecutionContext, reports: RankReport[]): void {
  for (const report of reports.slice(1)) {
    t.deepEqual(report.losses, reports[0]!.losses, `rank ${report.rank}'s losses differ from rank 0's`);
    t.deepEqual(report.gradNorms, reports[0]!.gradNorms, `rank ${report.rank}'s gradient norms differ from rank 0's`);
  }
}
