/**
 * Picks OpenBLAS's kernel family before the library loads. Debian's OpenBLAS 0.3.21 does not know
 * newer AVX-512 CPUs (e.g. AMD Zen 4) and falls back to its Haswell (AVX2) kernels, at about half
 * the matrix-product speed. OpenBLAS reads OPENBLAS_CORETYPE once, when it is loaded, so this must
 * run before the native addon is required (native/ts/native.ts does) or be exported by whoever
 * starts a native binary. A value the user already set is never changed.
 */
import { readFileSync } from 'node:fs';

export const CORETYPE_VARIABLE = 'OPENBLAS_CORETYPE';

/** The kernel family to request for a CPU with these /proc/cpuinfo flags, or null to let OpenBLAS decide. */
export function openblasCoretypeFor(flags: ReadonlySet<string>): string | null {
  return flags.has('avx512f') && flags.has('avx512bw') && flags.has('avx512vl') ? 'SKYLAKEX' : null;
}

export function cpuFlags(cpuinfo = '/proc/cpuinfo'): Set<string> {
  try {
    const line = readFileSync(cpuinfo, 'utf8').split('\n').find((l) => l.startsWith('flags'));
    return new Set(line ? line.slice(line.indexOf(':') + 1).trim().split(/\s+/) : []);
  } catch {
    return new Set();
  }
}

/** Sets OPENBLAS_CORETYPE in `env` when unset and the CPU warrants it; returns the value in effect. */
export function chooseOpenblasKernels(env: NodeJS.ProcessEnv = process.env, flags = cpuFlags()): string | null {
  if (env[CORETYPE_VARIABLE]) return env[CORETYPE_VARIABLE]!;
  const coretype = openblasCoretypeFor(flags);
  if (coretype) env[CORETYPE_VARIABLE] = coretype;
  return coretype;
}
