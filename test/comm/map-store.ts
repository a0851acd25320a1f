/**
 * Test stores for communicators. `MapStore` is a CommStore over a plain Map (the coordinator's
 * KV service stands in its place in production). `serveStore` lets child processes use one
 * MapStore held by the test process, over the child_process IPC channel; `IpcStore` is the
 * child's side. Start children with `serialization: 'advanced'` so Uint8Arrays cross intact.
 */
import type { ChildProcess } from 'node:child_process';

import type { CommStore } from '../../native/ts/native';

export class MapStore implements CommStore {
  private readonly values = new Map<string, Uint8Array>();
  private readonly waiters = new Set<() => void>();

  set(key: string, value: Uint8Array): void {
    this.values.set(key, Uint8Array.from(value));
    for (const wake of [...this.waiters]) wake();
  }

  get(key: string): Uint8Array | null {
    return this.values.get(key) ?? null;
  }

  add(key: string, delta: number): number {
    const current = this.values.get(key);
    const next = (current ? Number(Buffer.from(current).toString('utf8')) : 0) + delta;
    this.set(key, Buffer.from(String(next), 'utf8'));
    return next;
  }

  wait(keys: string[], timeoutMs: number): Promise<string[]> {
    const missing = () => keys.filter((k) => !this.values.has(k));
    return new Promise((resolve) => {
      if (missing().length === 0) return resolve([]);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(missing());
      };
      const check = () => {
        if (missing().length === 0) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.waiters.add(check);
    });
  }

  keys(): string[] {
    return [...this.values.keys()];
  }
}

type StoreMethod = 'set' | 'get' | 'add' | 'wait';
interface StoreRequest {
  kind: 'store';
  id: number;
  method: StoreMethod;
  args: unknown[];
}
interface StoreReply {
  kind: 'store-reply';
  id: number;
  result?: unknown;
  error?: string;
}

/** Parent side: answers a child's IpcStore calls from `store`. */
export function serveStore(child: ChildProcess, store: CommStore): void {
  child.on('message', (message: unknown) => {
    const request = message as StoreRequest;
    if (request?.kind !== 'store') return;
    const method = store[request.method] as (...args: unknown[]) => unknown;
    Promise.resolve()
      .then(() => method.apply(store, request.args))
      .then(
        (result) => child.connected && child.send({ kind: 'store-reply', id: request.id, result } satisfies StoreReply),
        (error: unknown) =>
          child.connected && child.send({ kind: 'store-reply', id: request.id, error: String(error) } satisfies StoreReply),
      );
  });
}

/** Child side: a CommStore whose every call is a round trip to the parent's serveStore. */
export class IpcStore implements CommStore {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor() {
    process.on('message', (message: unknown) => {
      const reply = message as StoreReply;
      if (reply?.kind !== 'store-reply') return;
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.error !== undefined) waiter?.reject(new Error(reply.error));
      else waiter?.resolve(reply.result);
    });
  }

  private call(method: StoreMethod, args: unknown[]): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      process.send!({ kind: 'store', id, method, args } satisfies StoreRequest);
    });
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    await this.call('set', [key, value]);
  }
  async get(key: string): Promise<Uint8Array | null> {
    const value = (await this.call('get', [key])) as Uint8Array | null;
    return value === null ? null : new Uint8Array(value);
  }
  async add(key: string, delta: number): Promise<number> {
    return (await this.call('add', [key, delta])) as number;
  }
  async wait(keys: string[], timeoutMs: number): Promise<string[]> {
    return (await this.call('wait', [keys, timeoutMs])) as string[];
  }
}
