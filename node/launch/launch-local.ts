/**
 * Starts the ranks of a run as OS processes on this machine (`node <script> <args…>` each) for
 * tests and benchmarks, until the control plane starts actors itself. The ranks meet through a
 * fresh rendezvous directory (the native file store) and learn their place from the environment
 * (launched-rank.ts). Each rank computes with cores / processes threads (at least 1) unless told.
 * Resolves with every rank's reported result, in rank order; rejects as soon as a rank exits
 * without reporting (killing the others), naming it and quoting its stderr.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

import { LAUNCH_ENV } from './launched-rank';

export interface LaunchOptions {
  /** Compiled JS file each rank runs. */
  script: string;
  args: string[];
  worldSize: number;
  /** Threads per rank; null = max(1, floor(cores / worldSize)). */
  threadsPerRank: number | null;
  /** Rendezvous and collective deadline handed to the ranks. */
  commTimeoutMs: number;
  /** The whole launch must finish within this (null: no limit); the ranks are killed after it. */
  timeoutMs: number | null;
  /** Copy each rank's stderr to this process's as it comes (it is kept for the failure message either way). */
  echoStderr?: boolean;
  /** Called with the rank processes once all are started (to forward signals to them). */
  onStarted?: (children: ChildProcess[]) => void;
}

export function defaultThreadsPerRank(worldSize: number): number {
  return Math.max(1, Math.floor(availableParallelism() / worldSize));
}

interface RankResult {
  kind: 'neox-launch-result';
  value: unknown;
}

export async function launchLocal<Result>(options: LaunchOptions): Promise<Result[]> {
  const { worldSize } = options;
  if (!Number.isInteger(worldSize) || worldSize < 1) throw new RangeError(`launchLocal: worldSize is ${worldSize}; pass an integer >= 1`);
  const threads = options.threadsPerRank ?? defaultThreadsPerRank(worldSize);
  const storeDirectory = mkdtempSync(join(tmpdir(), 'neox-launch-'));
  const children: ChildProcess[] = [];
  try {
    const results = Array.from({ length: worldSize }, (_, rank) => {
      const child = fork(options.script, options.args, {
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
        env: {
          ...process.env,
          [LAUNCH_ENV.rank]: String(rank),
          [LAUNCH_ENV.worldSize]: String(worldSize),
          [LAUNCH_ENV.storeDirectory]: storeDirectory,
          [LAUNCH_ENV.threads]: String(threads),
          [LAUNCH_ENV.timeoutMs]: String(options.commTimeoutMs),
        },
      });
      children.push(child);
      return rankResult<Result>(child, rank, options.echoStderr === true);
    });
    options.onStarted?.(children);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      if (options.timeoutMs === null) return;
      timer = setTimeout(() => reject(new Error(`launchLocal: ${options.script} did not finish on all ${worldSize} ranks within ${options.timeoutMs} ms`)), options.timeoutMs);
    });
    try {
      return await Promise.race([Promise.all(results), deadline]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(storeDirectory, { recursive: true, force: true });
  }
}

/** The rank's reported result once it has also exited cleanly. */
function rankResult<Result>(child: ChildProcess, rank: number, echo: boolean): Promise<Result> {
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    if (echo) process.stderr.write(chunk);
  });
  let result: { value: Result } | null = null;
  child.on('message', (message: unknown) => {
    const m = message as RankResult;
    if (m?.kind === 'neox-launch-result') result = { value: m.value as Result };
  });
  return new Promise<Result>((resolve, reject) => {
    child.on('exit', (code, signal) => {
      if (code === 0 && result) resolve(result.value);
      else reject(new Error(`rank ${rank} exited with ${code ?? signal}${result ? '' : ' before reporting a result'}${echo ? ' (its stderr is above)' : `: ${stderr.trim()}`}`));
    });
  });
}
