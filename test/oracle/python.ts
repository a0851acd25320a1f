/** Runs the Python references in .venv (created by test/oracle/setup-venv.sh). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { packageRoot } from '../../common/paths';

export function venvPython(): string {
  return join(packageRoot(), '.venv', 'bin', 'python');
}

/** Runs `test/oracle/<script>` with args; returns stdout, throws with stderr on failure. */
export function runOracle(script: string, args: string[], input?: string): string {
  const result = spawnSync(venvPython(), [join(packageRoot(), 'test', 'oracle', script), ...args], {
    encoding: 'utf8',
    input,
    maxBuffer: 1 << 30,
  });
  if (result.status !== 0) {
    throw new Error(`oracle ${script} failed (${result.status}): ${result.stderr || result.error?.message}`);
  }
  return result.stdout;
}
