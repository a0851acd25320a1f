/** `neox train` as a child process, for the CLI tests: run to completion, or start and watch its output. */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { packageRoot } from '../../common/paths';

export const CLI = join(packageRoot(), 'dist', 'client', 'cli', 'main.js');

export function neox(args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `neox train`; resolves with its exit code and output. onOutput sees all stdout so far. */
export function startTrain(args: string[], onOutput: (text: string, child: ReturnType<typeof spawn>) => void) {
  const child = spawn(process.execPath, [CLI, 'train', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    onOutput(stdout, child);
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((done) => {
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
  return Object.assign(exited, { child });
}
