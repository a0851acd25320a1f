/**
 * One rank of the communication benchmark (started by comm.ts): times Gloo all-reduces of each
 * size and reports them to the parent, which holds the rendezvous store.
 *   argv[2]: JSON CommBenchConfig
 */
import { createCommunicator } from '../../native/ts/native';
import { IpcStore } from '../comm/map-store';

export interface CommBenchConfig {
  rank: number;
  size: number;
  /** Buffer sizes in MiB and the timed iterations of each (the same on every rank). */
  runs: { mib: number; iterations: number }[];
}

export type CommBenchReport =
  | { kind: 'timing'; rank: number; mib: number; iterations: number; seconds: number }
  | { kind: 'done'; rank: number };

function report(message: CommBenchReport): Promise<void> {
  return new Promise((resolve) => process.send!(message, () => resolve()));
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]!) as CommBenchConfig;
  const { rank, size } = config;
  const communicator = await createCommunicator({ rank, size, name: 'bench', store: new IpcStore(), timeoutMs: 120_000, host: null });
  for (const { mib, iterations } of config.runs) {
    const data = new Float32Array((mib << 20) / 4).fill(rank + 1);
    for (let i = 0; i < 2; i++) await communicator.allReduce(data, 'sum'); // warm-up: connections, pages
    await communicator.barrier();
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await communicator.allReduce(data, 'sum');
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    await report({ kind: 'timing', rank, mib, iterations, seconds });
  }
  await communicator.close();
  await report({ kind: 'done', rank });
  process.disconnect();
}

main().catch((error: unknown) => {
  process.stderr.write(`comm bench rank failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
  process.disconnect();
});
