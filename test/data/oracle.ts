/** Runs test/data/oracle.py (numpy references) from the data tests. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { packageRoot } from '../../common/paths';
import { venvPython } from '../oracle/python';

export function numpyOracle<T = Record<string, unknown>>(command: string, request: unknown): T {
  const result = spawnSync(venvPython(), [join(packageRoot(), 'test', 'data', 'oracle.py'), command], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (result.status !== 0) throw new Error(`oracle.py ${command} failed (${result.status}): ${result.stderr || result.error?.message}`);
  return JSON.parse(result.stdout) as T;
}
