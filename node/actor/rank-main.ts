/**
 * One rank of a multi-process `neox train` (started by node/launch/launch-local.ts from
 * node/launch/train-ranks.ts): runs the training loop as its rank of the resolved config in
 * argv[2] (a JSON file) and reports its RunReport. Rank 0 prints the progress and writes the logs
 * and metrics. SIGINT/SIGTERM ask for a stop: the ranks agree on the step (Engine.anyRank), save
 * together when `save` is set, and exit; the launcher kills them if asked twice. A rank whose
 * launcher has gone exits at once.
 */
import { readFileSync } from 'node:fs';

import type { NeoxConfig } from '../../common/config';
import { engineParallelOptions, launchedRank, reportResult } from '../launch/launched-rank';
import { runLocal } from './local-run';
import { describeModel, type RunReport } from './run-report';

async function main(): Promise<void> {
  const me = launchedRank();
  const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as NeoxConfig;
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => controller.abort());
  // The launching process is gone (killed, crashed): no one will collect this rank; a checkpoint
  // being written stays uncommitted, so the last committed one is what a rerun resumes from.
  process.on('disconnect', () => process.exit(1));
  process.channel?.unref(); // the listener must not keep a finished rank alive
  const result = await runLocal({
    config, threads: me.threads, console: process.stdout, signal: controller.signal, parallel: engineParallelOptions(me),
    onStart: (engine) => process.stdout.write(`${describeModel(config, engine.parameterCount, engine.threads)}\n`),
  });
  const { engine, ...report } = result;
  engine.close();
  await reportResult(report satisfies RunReport);
}

main().catch((error: unknown) => {
  process.stderr.write(`neox: rank ${process.env.NEOX_LAUNCH_RANK ?? '?'}: ${(error as Error).message}\n`);
  process.exit(1);
});
