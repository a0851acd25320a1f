/**
 * The rank side of the local launcher (launch-local.ts): where this process sits in the run, from
 * the environment the launcher set, and how it reports its result back.
 */
import type { EngineParallelOptions } from '../../native/ts/native';

export const LAUNCH_ENV = {
  rank: 'NEOX_LAUNCH_RANK',
  worldSize: 'NEOX_LAUNCH_WORLD_SIZE',
  storeDirectory: 'NEOX_LAUNCH_STORE_DIR',
  threads: 'NEOX_LAUNCH_THREADS',
  timeoutMs: 'NEOX_LAUNCH_TIMEOUT_MS',
} as const;

export interface LaunchedRank {
  rank: number;
  worldSize: number;
  /** Rendezvous directory shared by the ranks of this launch. */
  storeDirectory: string;
  /** CPU threads this rank should compute with (cores / processes, at least 1). */
  threads: number;
  /** Deadline of the rendezvous and of each collective. */
  timeoutMs: number;
}

function integerFromEnv(name: string): number {
  const text = process.env[name];
  const value = Number(text);
  if (text === undefined || !Number.isInteger(value)) {
    throw new Error(`${name} is ${JSON.stringify(text)}; this process must be started by launchLocal (node/launch/launch-local.ts)`);
  }
  return value;
}

/** This process's place in the launch; throws when it was not started by launchLocal. */
export function launchedRank(): LaunchedRank {
  const storeDirectory = process.env[LAUNCH_ENV.storeDirectory];
  if (!storeDirectory) {
    throw new Error(`${LAUNCH_ENV.storeDirectory} is not set; this process must be started by launchLocal (node/launch/launch-local.ts)`);
  }
  return {
    rank: integerFromEnv(LAUNCH_ENV.rank),
    worldSize: integerFromEnv(LAUNCH_ENV.worldSize),
    storeDirectory,
    threads: integerFromEnv(LAUNCH_ENV.threads),
    timeoutMs: integerFromEnv(LAUNCH_ENV.timeoutMs),
  };
}

/** The engine's parallel options for this rank (file-store rendezvous on this machine). */
export function engineParallelOptions(rank: LaunchedRank): EngineParallelOptions {
  return { rank: rank.rank, worldSize: rank.worldSize, store: null, storeDirectory: rank.storeDirectory, timeoutMs: rank.timeoutMs, host: null };
}

/** Sends this rank's result to the launcher (structured clone: typed arrays cross intact). */
export function reportResult(value: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) {
      reject(new Error('reportResult: no IPC channel; this process must be started by launchLocal'));
      return;
    }
    process.send({ kind: 'neox-launch-result', value }, (error: Error | null) => (error ? reject(error) : resolve()));
  });
}
