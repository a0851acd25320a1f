/** `neox serve` on the command line: flags, refusals, loopback by default, the warning beyond it, SIGTERM. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CLI, startCli } from './cli-server';
import { get, TOKENIZER_JSON } from './helpers';

function neox(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('neox --help lists serve; serve --help shows the usage and not the test flag', (t) => {
  t.regex(neox('--help').stdout, /^ {2}serve {2,}Serve a checkpoint over an OpenAI-compatible completions API/m);
  const help = neox('serve', '--help');
  t.is(help.code, 0);
  t.regex(help.stdout, /^usage: neox serve --checkpoint DIR \[--host 127\.0\.0\.1\] \[--port 8000\] \[--model-name NAME\]/);
  t.notRegex(help.stdout, /reference-model/);
});

test('refusals: no checkpoint, a missing or empty directory, both sources, a bad port', (t) => {
  t.deepEqual(neox('serve'), { code: 2, stdout: '', stderr: 'neox: error: neox serve needs --checkpoint DIR (a neox checkpoint directory)\n' });
  t.deepEqual(neox('serve', '--checkpoint', '/no/such/dir'), { code: 1, stdout: '', stderr: 'neox: error: checkpoint directory /no/such/dir does not exist\n' });
  const empty = mkdtempSync(join(tmpdir(), 'neox-serve-empty-'));
  try {
    t.deepEqual(neox('serve', '--checkpoint', empty), { code: 1, stdout: '', stderr: `neox: error: ${empty} has no "latest" file and no manifest.json: it holds no committed checkpoint\n` });
  } finally {
    rmSync(empty, { recursive: true });
  }
  t.is(neox('serve', '--checkpoint', 'a', '--reference-model', TOKENIZER_JSON).stderr, 'neox: error: give --checkpoint or --reference-model, not both\n');
  t.deepEqual(neox('serve', '--reference-model', TOKENIZER_JSON, '--port', '70000'), { code: 2, stdout: '', stderr: 'neox: error: --port 70000 is not a port; use an integer from 0 to 65535 (0 picks a free one)\n' });
});

test('listens on 127.0.0.1 by default, without a warning; SIGTERM stops it with exit code 0', async (t) => {
  const server = await startCli(['--reference-model', TOKENIZER_JSON, '--port', '0']);
  t.regex(server.root, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.is((await get(server.root, '/health')).status, 200);
  t.is(await server.stop(), 0);
  t.is(server.stderr(), 'neox serve: stopped (SIGTERM)\n');
});

test('binding beyond loopback warns loudly', async (t) => {
  const server = await startCli(['--reference-model', TOKENIZER_JSON, '--port', '0', '--host', '0.0.0.0']);
  try {
    // stderr and stdout are separate pipes: the warning may arrive just after the listening line
    for (let i = 0; i < 500 && !server.stderr().includes('WARNING'); i++) await new Promise((r) => setTimeout(r, 10));
    t.regex(server.stderr(), /^WARNING: neox serve is listening on 0\.0\.0\.0, beyond loopback, with no authentication and no TLS: anyone who can reach port \d+ can use this model\. Use --host 127\.0\.0\.1 unless that is intended\.$/m);
  } finally {
    t.is(await server.stop(), 0);
  }
});

test('a port in use is refused with the port named', async (t) => {
  const server = await startCli(['--reference-model', TOKENIZER_JSON, '--port', '0']);
  try {
    const port = new URL(server.root).port;
    t.deepEqual(neox('serve', '--reference-model', TOKENIZER_JSON, '--port', port), {
      code: 2,
      stdout: '',
      stderr: `neox: error: port ${port} on 127.0.0.1 is in use; pick another with --port (0 picks a free one)\n`,
    });
  } finally {
    await server.stop();
  }
});
