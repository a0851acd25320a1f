/**
 * The typed surface of the native addon (native/binding/). Every native function is declared here
 * and nowhere else. Rule across the boundary: no optional (`?`) fields — intentionally absent is
 * `null`, so `undefined` always means a bug.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { chooseOpenblasKernels } from '../../common/blas-kernels';
import { packageRoot } from '../../common/paths';
import { convertNativeError, NativeLoadError } from './errors';

// ---- build and threads ---------------------------------------------------------------------

export interface BuildInfo {
  blas: string;
  openmp: string;
  gloo: boolean;
  cuda: boolean;
  compiler: string;
}

export interface NativeAddon {
  buildInfo(): BuildInfo;
  /** Threads used by BLAS and native loops; 0 = all cores. Returns the count now in effect. */
  setNumThreads(n: number): number;
  numThreads(): number;
  /** See the communicators section below; use `createCommunicator`, which types its errors. */
  createCommunicator(options: CommunicatorOptions): Promise<Communicator>;
}

let cached: NativeAddon | null = null;

/** Path of the compiled addon; NEOX_NATIVE_ADDON overrides it (for out-of-tree builds). */
export function nativeAddonPath(): string {
  return process.env.NEOX_NATIVE_ADDON ?? join(packageRoot(), 'native', 'build', 'Release', 'neox_native.node');
}

export function loadNative(): NativeAddon {
  if (cached) return cached;
  const path = nativeAddonPath();
  if (!existsSync(path)) {
    throw new NativeLoadError(`native addon not found at ${path}; build it with "npm run build:native"`);
  }
  chooseOpenblasKernels(); // must precede loading OpenBLAS
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cached = wrapErrors(require(path) as NativeAddon);
  } catch (error) {
    throw new NativeLoadError(`cannot load native addon ${path}: ${(error as Error).message}`, { cause: error });
  }
  return cached;
}

/** Re-throws native errors as typed JS errors (see errors.ts). */
function wrapErrors<T extends object>(addon: T): T {
  return new Proxy(addon, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (result instanceof Promise) return result.catch((e: unknown) => Promise.reject(convertNativeError(e)));
          return result;
        } catch (error) {
          throw convertNativeError(error);
        }
      };
    },
  });
}

// ---- communicators ---------------------------------------------------------------------------

/**
 * The rendezvous key-value store a communicator meets its peers through: in production the
 * actor's client of the coordinator's KV service, scoped to one run and generation (keys of an
 * older generation must not be visible). The native side calls it from its compute thread and
 * waits for the answer; the JS event loop stays free meanwhile. Methods may return plain values
 * or Promises.
 */
export interface CommStore {
  /** Creates or replaces key. */
  set(key: string, value: Uint8Array): Promise<void> | void;
  /** The value of key, or null when it does not exist (yet). */
  get(key: string): Promise<Uint8Array | null> | Uint8Array | null;
  /** Adds delta to the decimal integer stored at key (absent = 0), atomically; returns the new value. */
  add(key: string, delta: number): Promise<number> | number;
  /** Settles once every key exists or after timeoutMs, with the keys still missing ([] = all exist). */
  wait(keys: string[], timeoutMs: number): Promise<string[]> | string[];
}

export interface CommunicatorOptions {
  /** This process's rank in the group, 0 ≤ rank < size. */
  rank: number;
  size: number;
  /** Group name, used in store keys and error messages: "world", "dp", "tp", "pp". */
  name: string;
  store: CommStore;
  /** Deadline of the rendezvous and of each collective (comm_timeout_seconds × 1000). */
  timeoutMs: number;
  /** Address this rank listens on and advertises to peers; null = 127.0.0.1 (one machine). */
  host: string | null;
}

/** A Gloo (CPU) communicator. Its calls run in order on its own native thread. */
export interface Communicator {
  readonly rank: number;
  readonly size: number;
  readonly name: string;
  /**
   * In place: data ← Σ over ranks (or the mean). Rejects with CommError naming the peer on a
   * timeout or a dead peer; the communicator then refuses further calls (build a new one for
   * the next generation).
   */
  allReduce(data: Float32Array, op: 'sum' | 'average'): Promise<void>;
  barrier(): Promise<void>;
  /** Closes the connections after the calls already queued; later calls are refused. */
  close(): Promise<void>;
}

/**
 * Joins the group through options.store and connects to every peer. Rejects with CommError
 * naming the ranks that never joined when timeoutMs passes first.
 */
export async function createCommunicator(options: CommunicatorOptions): Promise<Communicator> {
  const communicator = await loadNative().createCommunicator(options);
  return wrapErrors(communicator);
}
