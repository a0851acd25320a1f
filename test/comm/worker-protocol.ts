/** What comm.test.ts and comm-worker.ts tell each other. */

export interface WorkerConfig {
  rank: number;
  size: number;
  timeoutMs: number;
  scenario: 'all-reduce' | 'until-error';
}

export type WorkerReport =
  | { kind: 'result'; rank: number; sum: number[]; average: number[] }
  | { kind: 'ready'; rank: number }
  | { kind: 'error'; rank: number; name: string; code: string; message: string; elapsedMs: number }
  | { kind: 'alive'; rank: number };

/** The values rank r contributes at element i. */
export function contribution(rank: number, i: number): number {
  return (rank + 1) * 10 + (i % 7);
}
