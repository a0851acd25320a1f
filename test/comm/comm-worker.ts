/**
 * One rank of a multi-process communicator test, started by comm.test.ts with fork() and the
 * IPC channel: it meets its peers through the parent's store and reports to the parent.
 *   argv[2]: JSON { rank, size, timeoutMs, scenario }
 *   scenario "all-reduce": sum and average of known data; reports the results, exits 0.
 *   scenario "until-error": reports "ready" after one all-reduce, then all-reduces until one
 *     fails; reports the error (class, code, message), then "alive" to show the process
 *     survived it, and exits 0.
 */
import { createCommunicator } from '../../native/ts/native';
import { IpcStore } from './map-store';
import type { WorkerConfig, WorkerReport } from './worker-protocol';
import { contribution } from './worker-protocol';

function report(message: WorkerReport): Promise<void> {
  return new Promise((resolve) => process.send!(message, () => resolve()));
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]!) as WorkerConfig;
  const { rank, size, timeoutMs } = config;
  const communicator = await createCommunicator({ rank, size, name: 'world', store: new IpcStore(), timeoutMs, host: null });
  if (config.scenario === 'all-reduce') {
    const count = 100_003; // ring path with uneven chunks
    const sum = new Float32Array(count).map((_, i) => contribution(rank, i));
    const average = sum.slice();
    await communicator.allReduce(sum, 'sum');
    await communicator.allReduce(average, 'average');
    await communicator.barrier();
    await communicator.close();
    await report({ kind: 'result', rank, sum: Array.from(sum), average: Array.from(average) });
  } else {
    const data = new Float32Array(1 << 18);
    await communicator.allReduce(data, 'sum');
    await report({ kind: 'ready', rank });
    const start = Date.now();
    for (;;) {
      try {
        await communicator.allReduce(data, 'sum');
      } catch (error) {
        const e = error as Error & { code?: string };
        await report({ kind: 'error', rank, name: e.constructor.name, code: e.code ?? '', message: e.message, elapsedMs: Date.now() - start });
        break;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    await communicator.close();
    await report({ kind: 'alive', rank });
  }
  process.disconnect();
}

main().catch((error: unknown) => {
  process.stderr.write(`comm-worker failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
  process.disconnect();
});
