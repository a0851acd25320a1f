import test from 'ava';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { packageRoot } from '../../common/paths';

const cli = join(packageRoot(), 'dist', 'client', 'cli', 'main.js');

function neox(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('neox --help lists every command', (t) => {
  const { code, stdout } = neox('--help');
  t.is(code, 0);
  t.regex(stdout, /usage: neox <command>/);
  t.regex(stdout, /^ {2}info {2}/m);
});

test('each command answers --help with its usage', (t) => {
  const { code, stdout } = neox('info', '--help');
  t.is(code, 0);
  t.regex(stdout, /^usage: neox info/);
});

test('an unknown command is one line on stderr and exit code 2', (t) => {
  const { code, stderr, stdout } = neox('frobnicate');
  t.is(code, 2);
  t.is(stdout, '');
  t.is(stderr, 'neox: error: unknown command "frobnicate"; run "neox --help" to list the commands\n');
});

test('an unknown flag names the command and the help to read', (t) => {
  const { code, stderr } = neox('info', '--bogus');
  t.is(code, 2);
  t.is(stderr.trim().split('\n').length, 1);
  t.regex(stderr, /Unknown option '--bogus'.*neox info --help/);
});

test('neox info reports the native build', (t) => {
  const { code, stdout } = neox('info', '--json');
  t.is(code, 0);
  const info = JSON.parse(stdout) as { blas: string; gloo: boolean; threads: number };
  t.regex(info.blas, /OpenBLAS/);
  t.true(info.gloo);
  t.true(info.threads >= 1);
});
