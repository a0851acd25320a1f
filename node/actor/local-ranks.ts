/**
 * A run of world_size ranks as processes on this machine (`neox train --world-size N` until the
 * control plane starts actors itself): the raw data is preprocessed and the index maps built here
 * once, then node/launch starts one rank-main.ts process per rank (cores / ranks threads each
 * unless told), which rendezvous through a file store and train together. Resolves with rank 0's
 * report; rejects when a rank fails (the others are killed), quoting its error.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { NeoxConfig } from '../../common/config';
import { buildDatasets, type PreprocessProgress, type PreprocessSummary } from '../../common/data';
import { launchLocal } from '../launch/launch-local';
import { prepareData } from './prepare-data';
import type { RunReport } from './run-report';

export interface LocalRanksOptions {
  config: NeoxConfig;
  /** Threads per rank; null = max(1, cores / world_size). */
  threadsPerRank: number | null;
  onPreprocess?: { progress(p: PreprocessProgress): void; done(prefix: string, summary: PreprocessSummary): void };
  /** The rank processes, once started (to forward signals to them). */
  onStarted?: (ranks: ChildProcess[]) => void;
  signal?: AbortSignal;
}

/** How long one collective may wait for a peer: the longest of the coordinator budgets a rank may spend apart (startup, checkpoint, evaluation). */
export function collectiveTimeoutMs(config: NeoxConfig): number {
  const c = config.coordinator;
  return 1000 * Math.max(c.startup_timeout_s, c.checkpoint_timeout_s, c.eval_timeout_s);
}

export async function runLocalRanks(options: LocalRanksOptions): Promise<RunReport> {
  const { config } = options;
  await prepareData(config, options.onPreprocess ?? { progress: () => {}, done: () => {} }, options.signal);
  if (options.signal?.aborted) throw new Error('stopped before training started');
  buildDatasets(config).close(); // index maps built and cached once, before the ranks open them
  const dir = mkdtempSync(join(tmpdir(), 'neox-ranks-'));
  try {
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(config));
    const reports = await launchLocal<RunReport>({
      script: join(__dirname, 'rank-main.js'), args: [configFile], worldSize: config.world_size,
      threadsPerRank: options.threadsPerRank, commTimeoutMs: collectiveTimeoutMs(config), timeoutMs: null,
      echoStderr: true, onStarted: options.onStarted,
    });
    return reports[0]!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
