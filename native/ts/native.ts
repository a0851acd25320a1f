/**
 * The typed surface of the native addon (native/binding/). Every native function is declared here
 * and nowhere else. Rule across the boundary: no optional (`?`) fields — intentionally absent is
 * `null`, so `undefined` always means a bug.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

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
