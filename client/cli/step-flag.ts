/** `--step N` of the commands that read one checkpoint of a save directory. */
import { UsageError } from '../../common/errors';

/** The step, or null when the flag is absent (then `latest` is read). */
export function parseStepFlag(value: unknown): number | null {
  if (value === undefined) return null;
  const step = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || !Number.isSafeInteger(step)) throw new UsageError(`--step ${String(value)} is not a step number; give a non-negative integer`);
  return step;
}
