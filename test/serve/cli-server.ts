/** `neox serve --reference-model` as a child process, for the end-to-end tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

import { packageRoot } from '../../common/paths';

export const CLI = join(packageRoot(), 'dist', 'client', 'cli', 'main.js');

export interface CliServer {
  child: ChildProcess;
  /** http://127.0.0.1:PORT */
  root: string;
  stderr(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `neox serve ARGS` and waits for its "serving ... at URL" line. */
export function startCli(args: string[]): Promise<CliServer> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /at (http:\/\/[^/\s]+)\/v1\/completions/.exec(out);
      if (match) {
        resolve({
          child,
          root: match[1]!,
          stderr: () => err,
          stop: () =>
            new Promise((done) => {
              child.once('exit', (code) => done(code));
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`neox serve exited with ${code} before listening: ${err}`)));
  });
}
