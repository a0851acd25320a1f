/** Runs the built `neox` CLI in a child process. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { packageRoot } from '../../common/paths';

const cli = join(packageRoot(), 'dist', 'client', 'cli', 'main.js');

export function neox(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: packageRoot() });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
