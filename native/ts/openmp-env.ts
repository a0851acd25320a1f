/**
 * How long idle OpenMP threads spin before sleeping, chosen before the addon (and with it libgomp)
 * loads: libgomp reads the environment once, at load time. Its default spins for up to 300 000
 * iterations after every parallel region; on this project's 2-core machines that spinning thread
 * stole the core OpenBLAS's next product needed (measured: sgemm 18 ms → 9.5 ms, LayerNorm
 * 2–8 ms → 0.2 ms, Pythia-14M training 2 800 → 5 600 tokens/s with GOMP_SPINCOUNT=10000;
 * BENCHMARKS.md). OMP_WAIT_POLICY=PASSIVE (never spin) lost up to 2× at small shapes. A value the
 * user set (either variable) is never changed.
 */
export const SPIN_VARIABLE = 'GOMP_SPINCOUNT';
export const DEFAULT_SPIN_COUNT = '10000';

/** Sets GOMP_SPINCOUNT in `env` unless it or OMP_WAIT_POLICY is set; returns the spin setting in effect. */
export function chooseOpenmpSpin(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OMP_WAIT_POLICY) return `OMP_WAIT_POLICY=${env.OMP_WAIT_POLICY}`;
  if (!env[SPIN_VARIABLE]) env[SPIN_VARIABLE] = DEFAULT_SPIN_COUNT;
  return `${SPIN_VARIABLE}=${env[SPIN_VARIABLE]}`;
}
