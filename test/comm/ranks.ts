/**
 * Starts rank processes (`node <script> <args…>`) that meet through one store held by this
 * process (see map-store.ts), and collects the messages they send back.
 */
import { fork, type ChildProcess } from 'node:child_process';

import type { CommStore } from '../../native/ts/native';
import { serveStore } from './map-store';

export interface RankProcess<Report extends { kind: string }> {
  child: ChildProcess;
  /** Resolves with the first message of this kind (already received or still to come). */
  next<K extends Report['kind']>(kind: K, timeoutMs: number): Promise<Extract<Report, { kind: K }>>;
  /** Every message received so far, in order. */
  received(): readonly Report[];
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it wrote to stderr so far, for failure messages. */
  stderr(): string;
}

export function forkRank<Report extends { kind: string }>(
  script: string,
  args: string[],
  store: CommStore,
): RankProcess<Report> {
  const child = fork(script, args, { serialization: 'advanced', stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
  serveStore(child, store);
  const received: Report[] = [];
  const listeners = new Set<() => void>();
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    errors += chunk.toString('utf8');
  });
  child.on('message', (message: unknown) => {
    const report = message as Report;
    if (typeof report?.kind !== 'string' || report.kind === 'store') return;
    received.push(report);
    for (const listener of [...listeners]) listener();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
      for (const listener of [...listeners]) listener();
    });
  });
  const next = <K extends Report['kind']>(kind: K, timeoutMs: number) =>
    new Promise<Extract<Report, { kind: K }>>((resolve, reject) => {
      const check = () => {
        const found = received.find((r) => r.kind === kind);
        if (found) {
          finish();
          resolve(found as Extract<Report, { kind: K }>);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          finish();
          reject(new Error(`rank process exited (${child.exitCode ?? child.signalCode}) before sending "${kind}": ${errors}`));
        }
      };
      const finish = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no "${kind}" from the rank process within ${timeoutMs} ms; stderr: ${errors}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  return { child, next, received: () => received, exited, stderr: () => errors };
}
