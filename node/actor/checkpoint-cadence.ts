/**
 * When GPT-NeoX saves (docs/gpt-neox-reference.md §3.9): after iteration k if k is in
 * extra_save_iters, or k % checkpoint_factor == 0 (checkpoint_scale "linear"), or k is an integer
 * power of checkpoint_factor ("log"); always at the end of training.
 */

export interface CheckpointCadence {
  checkpoint_factor: number | null;
  checkpoint_scale: string;
  extra_save_iters: number[] | null;
}

export function isPowerOf(value: number, base: number): boolean {
  if (base < 2 || value < 1) return false;
  let power = 1;
  while (power < value) power *= base;
  return power === value;
}

/** True when a checkpoint is due after iteration `iteration` (excluding the final save). */
export function checkpointDue(iteration: number, cadence: CheckpointCadence): boolean {
  if (cadence.extra_save_iters?.includes(iteration)) return true;
  const factor = cadence.checkpoint_factor;
  if (factor == null || factor <= 0 || iteration === 0) return false;
  return cadence.checkpoint_scale === 'log' ? isPowerOf(iteration, factor) : iteration % factor === 0;
}
