/**
 * Communication benchmark: Gloo all-reduce between 2 processes on loopback (127.0.0.1), for
 * 1, 4, 16, 64 and 256 MiB of float32, as bus bandwidth
 *   busbw = 2·(n−1)/n · bytes / time   (n ranks; the bytes each rank moves, per second)
 * next to a memcpy ceiling measured in the same run (TypedArray.set, one thread): on loopback
 * every byte crosses the kernel by copy, so memcpy bounds what TCP can reach. Then the
 * data-parallel step overhead (dp-step.ts): dp=2 against one process at the same global batch.
 *
 *   npm run bench -- comm [--sizes 1,4,16,64,256] [--ranks 2] [--skip-dp-step]
 *   (NEOX_NATIVE_ADDON=<path>/neox_native.node selects an addon built elsewhere)
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { MapStore } from '../comm/map-store';
import { forkRank } from '../comm/ranks';
import type { CommBenchConfig, CommBenchReport } from './comm-worker';
import { measureDpStep, printDpStep } from './dp-step';

/** The same count on every rank: about 512 MiB moved per size, at least 3 and at most 50 runs. */
function iterationsFor(mib: number): number {
  return Math.min(50, Math.max(3, Math.round(512 / mib)));
}

/** Best-of-5 copy bandwidth (bytes copied per second) for a buffer of `mib` MiB. */
function memcpyBytesPerSecond(mib: number): number {
  const source = new Float32Array((mib << 20) / 4).fill(1);
  const target = new Float32Array(source.length);
  target.set(source); // fault the pages in
  const repeats = Math.max(3, Math.round(256 / mib));
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < repeats; i++) target.set(source);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9 / repeats);
  }
  return (mib << 20) / best;
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv, options: { sizes: { type: 'string' }, ranks: { type: 'string' }, 'skip-dp-step': { type: 'boolean' } },
  });
  const sizes = (values.sizes ?? '1,4,16,64,256').split(',').map(Number);
  const n = Number(values.ranks ?? '2');
  const runs = sizes.map((mib) => ({ mib, iterations: iterationsFor(mib) }));

  const memcpy = new Map(sizes.map((mib) => [mib, memcpyBytesPerSecond(mib)]));

  const store = new MapStore();
  const script = join(__dirname, 'comm-worker.js');
  const ranks = Array.from({ length: n }, (_, rank) =>
    forkRank<CommBenchReport>(script, [JSON.stringify({ rank, size: n, runs } satisfies CommBenchConfig)], store),
  );
  await Promise.all(ranks.map((r) => r.next('done', 600_000)));
  await Promise.all(ranks.map((r) => r.exited));

  const cpu = cpus();
  console.log(`Gloo all-reduce (sum, float32), ${n} processes on 127.0.0.1, neox ring over TCP`);
  console.log(`machine: ${cpu.length} cores, ${cpu[0]?.model ?? '?'}, node ${process.version}`);
  console.log('');
  console.log('    size  iters    time/op      busbw     memcpy  busbw/memcpy');
  const rows = [];
  for (const { mib, iterations } of runs) {
    // A collective ends when its slowest rank does.
    let seconds = 0;
    for (const r of ranks) {
      const timing = r.received().find((m) => m.kind === 'timing' && m.mib === mib);
      if (timing?.kind !== 'timing') throw new Error(`rank ${ranks.indexOf(r)} reported no timing for ${mib} MiB`);
      seconds = Math.max(seconds, timing.seconds);
    }
    const perOp = seconds / iterations;
    const bytes = mib * 2 ** 20;
    const busbw = ((2 * (n - 1)) / n) * (bytes / perOp);
    const copy = memcpy.get(mib)!;
    rows.push({ mib, iterations, msPerOp: perOp * 1e3, busbwGBps: busbw / 1e9, memcpyGBps: copy / 1e9 });
    console.log(
      `${`${mib} MiB`.padStart(8)}  ${String(iterations).padStart(5)}  ${`${(perOp * 1e3).toFixed(2)} ms`.padStart(9)}` +
        `  ${`${(busbw / 1e9).toFixed(2)} GB/s`.padStart(9)}  ${`${(copy / 1e9).toFixed(2)} GB/s`.padStart(9)}` +
        `  ${`${((100 * busbw) / copy).toFixed(0)}%`.padStart(12)}`,
    );
  }
  console.log('');
  const dpStep = values['skip-dp-step'] ? [] : await measureDpStep();
  if (dpStep.length > 0) printDpStep(dpStep);
  console.log(JSON.stringify({ bench: 'comm', ranks: n, rows, dpStep }));
}
