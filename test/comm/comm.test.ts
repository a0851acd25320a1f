/**
 * Communicators across real processes: two node processes all-reduce through a store held by
 * the test process (a plain Map, reached over IPC — the coordinator's KV service stands there in
 * production), and a killed process makes its peer fail with a CommError that names it, without
 * taking the peer down. Plus, in this process, the rendezvous timeout and store failures.
 */
import test from 'ava';
import { join } from 'node:path';

import { CommError, NativeInvalidArgumentError } from '../../native/ts/errors';
import { createCommunicator, type CommStore } from '../../native/ts/native';
import { MapStore } from './map-store';
import { forkRank } from './ranks';
import { contribution, type WorkerConfig, type WorkerReport } from './worker-protocol';

const worker = join(__dirname, 'comm-worker.js');

function startRank(config: WorkerConfig, store: CommStore) {
  return forkRank<WorkerReport>(worker, [JSON.stringify(config)], store);
}

test('two processes all-reduce through a JS-backed store', async (t) => {
  const store = new MapStore();
  const ranks = [0, 1].map((rank) => startRank({ rank, size: 2, timeoutMs: 30_000, scenario: 'all-reduce' }, store));
  const results = await Promise.all(ranks.map((r) => r.next('result', 60_000)));
  for (const result of results) {
    let wrongSum = 0;
    let wrongAverage = 0;
    result.sum.forEach((value, i) => {
      const expected = contribution(0, i) + contribution(1, i);
      if (value !== expected) wrongSum++;
      if (result.average[i] !== Math.fround(expected * 0.5)) wrongAverage++;
    });
    t.is(result.sum.length, 100_003);
    t.is(wrongSum, 0, `rank ${result.rank}: wrong sums`);
    t.is(wrongAverage, 0, `rank ${result.rank}: wrong averages`);
  }
  for (const r of ranks) t.deepEqual(await r.exited, { code: 0, signal: null }, r.stderr());
  // The rendezvous went through the store: both ranks joined, both published their addresses.
  t.true(store.keys().includes('neox/comm/world/joined/0') && store.keys().includes('neox/comm/world/joined/1'));
});

test('killing one process fails the other with a CommError naming the peer, and the survivor lives on', async (t) => {
  const store = new MapStore();
  const ranks = [0, 1].map((rank) => startRank({ rank, size: 2, timeoutMs: 30_000, scenario: 'until-error' }, store));
  await Promise.all(ranks.map((r) => r.next('ready', 60_000)));
  const killedAt = Date.now();
  ranks[1]!.child.kill('SIGKILL');
  const error = await ranks[0]!.next('error', 20_000);
  const noticedAfterMs = Date.now() - killedAt;
  t.log(`rank 0 failed ${noticedAfterMs} ms after the kill: ${error.message}`);
  t.is(error.name, 'CommError');
  t.is(error.code, 'NEOX_COMM');
  t.regex(error.message, /^all_reduce on group world \(ranks 0,1\) failed: lost the connection to rank 1 \(/);
  t.regex(error.message, /its process probably exited/);
  t.true(noticedAfterMs < 5_000, `noticed after ${noticedAfterMs} ms; the timeout is 30 s`);
  await ranks[0]!.next('alive', 10_000);
  t.deepEqual(await ranks[0]!.exited, { code: 0, signal: null }, ranks[0]!.stderr());
  t.is((await ranks[1]!.exited).signal, 'SIGKILL');
});

test('a rank that never joins: the rendezvous names it, and the event loop runs meanwhile', async (t) => {
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 10);
  const start = Date.now();
  const error = await t.throwsAsync(
    createCommunicator({ rank: 0, size: 2, name: 'world', store: new MapStore(), timeoutMs: 500, host: null }),
    { instanceOf: CommError },
  );
  clearInterval(ticker);
  t.is(
    error?.message,
    'rendezvous of group world (ranks 0,1) timed out after 500 ms: rank 1 never joined (store: JS store); ' +
      'is its process alive? (raise comm_timeout_seconds if it starts slowly)',
  );
  t.true(Date.now() - start >= 500);
  // The store's wait ran on this thread while the native side waited for it: timers kept firing.
  t.true(ticks >= 5, `only ${ticks} timer ticks in ${Date.now() - start} ms`);
});

test('a failing store call becomes a CommError naming the call', async (t) => {
  const store: CommStore = {
    set: () => undefined,
    get: () => null,
    add: () => 0,
    wait: () => Promise.reject(new Error('coordinator unreachable')),
  };
  const error = await t.throwsAsync(
    createCommunicator({ rank: 0, size: 2, name: 'dp', store, timeoutMs: 1000, host: null }),
    { instanceOf: CommError },
  );
  t.is(error?.message, 'JS store wait(2 keys) failed: coordinator unreachable');
});

test('a communicator of one rank reduces locally, and refuses calls after close', async (t) => {
  const communicator = await createCommunicator({ rank: 0, size: 1, name: 'solo', store: new MapStore(), timeoutMs: 1000, host: null });
  t.like(communicator, { rank: 0, size: 1, name: 'solo' });
  const data = Float32Array.from([1, 2, 3]);
  await communicator.allReduce(data, 'average');
  t.deepEqual(Array.from(data), [1, 2, 3]);
  await communicator.close();
  t.throws(() => void communicator.barrier(), {
    instanceOf: NativeInvalidArgumentError,
    message: 'barrier on communicator solo (rank 0 of 1): it is closed; create a new one',
  });
  t.throws(() => void communicator.allReduce(data, 'sum'), { message: /allReduce on .*: it is closed/ });
});
