/**
 * `neox preprocess` end to end, through the same job runner as the CLI (test/data/preprocess-child
 * swaps in a UTF-8 byte tokenizer so no tokenizer files are needed). Expected files are written
 * by the numpy oracle from the documented format, not by our writer.
 */
import test from 'ava';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { packageRoot } from '../../common/paths';
import { numpyOracle } from './oracle';

const child = join(packageRoot(), 'dist', 'test', 'data', 'preprocess-child.js');
const fixtures = join(packageRoot(), 'test', 'data', 'fixtures');
const tmp = () => mkdtempSync(join(tmpdir(), 'neox-pre-'));
const utf8 = (s: string) => Array.from(Buffer.from(s, 'utf8'));

interface Job {
  inputs: string[];
  outputPrefix: string;
  keys?: string[];
  appendEod?: boolean;
  workers?: number;
  skipInvalid?: boolean;
  batchBytes?: number;
  tokenizerArgs?: { vocabSize?: number; spinMicros?: number };
  progressIntervalMs?: number;
  json?: boolean;
}

function request(job: Job): string {
  return JSON.stringify({ keys: ['text'], appendEod: false, workers: 1, skipInvalid: false, ...job });
}

function run(job: Job) {
  const result = spawnSync(process.execPath, [child, request(job)], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function jsonl(dir: string, name: string, lines: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return path;
}

/** Writes the expected dataset with numpy and returns its .bin/.idx bytes. */
function expected(dir: string, documents: number[][], dtype = 'uint16'): { bin: Buffer; idx: Buffer } {
  const prefix = join(dir, `expected-${Math.random().toString(36).slice(2)}`);
  numpyOracle('write-indexed', { prefix, dtype, documents });
  return { bin: readFileSync(`${prefix}.bin`), idx: readFileSync(`${prefix}.idx`) };
}

function outputs(prefix: string): { bin: Buffer; idx: Buffer } {
  return { bin: readFileSync(`${prefix}_text_document.bin`), idx: readFileSync(`${prefix}_text_document.idx`) };
}

test('plain, gzip and zstd inputs become one dataset in input order, with --append-eod', (t) => {
  const dir = tmp();
  const a = jsonl(dir, 'a.jsonl', [{ text: 'first' }, { text: '' }, { text: 'sécond', meta: 1 }]);
  const b = join(dir, 'b.jsonl.gz');
  writeFileSync(b, gzipSync(Buffer.from(['{"text": "gz one"}', '', '{"text": "gz two"}'].join('\n') + '\n')));
  const c = join(dir, 'c.jsonl.zst');
  copyFileSync(join(fixtures, 'small.jsonl.zst'), c);
  const prefix = join(dir, 'out');
  const result = run({ inputs: [a, b, c], outputPrefix: prefix, appendEod: true, json: true });
  t.is(result.code, 0, result.stderr);
  const texts = ['first', 'sécond', 'gz one', 'gz two', 'zst one', 'zst two é'];
  t.deepEqual(outputs(prefix), expected(dir, texts.map((s) => [...utf8(s), 256])));
  const summary = JSON.parse(result.stdout) as { documents: number; outputs: Array<{ emptyDropped: number; documents: number }>; blankLines: number; dtype: string };
  t.is(summary.documents, 6);
  t.is(summary.outputs[0]!.emptyDropped, 1);
  t.is(summary.blankLines, 1);
  t.is(summary.dtype, 'uint16');
  t.deepEqual(readdirSync(dir).filter((f) => f.startsWith('out')).sort(), ['out_text_document.bin', 'out_text_document.idx']);
});

test('without --append-eod no separator is written; a large vocabulary gives int32', (t) => {
  const dir = tmp();
  const input = jsonl(dir, 'in.jsonl', [{ text: 'ab' }, { text: 'c' }]);
  const prefix = join(dir, 'wide');
  const result = run({ inputs: [input], outputPrefix: prefix, tokenizerArgs: { vocabSize: 70000 } });
  t.is(result.code, 0, result.stderr);
  t.deepEqual(outputs(prefix), expected(dir, [utf8('ab'), utf8('c')], 'int32'));
});

test('1 and 2 workers with many small batches write identical files', (t) => {
  const dir = tmp();
  const lines = Array.from({ length: 3000 }, (_, i) => ({ text: `document ${i} ${'xyz '.repeat(i % 37)}` }));
  const input = jsonl(dir, 'many.jsonl', lines);
  const one = run({ inputs: [input], outputPrefix: join(dir, 'one'), appendEod: true, workers: 1, batchBytes: 2048 });
  const two = run({ inputs: [input], outputPrefix: join(dir, 'two'), appendEod: true, workers: 2, batchBytes: 2048 });
  t.is(one.code, 0, one.stderr);
  t.is(two.code, 0, two.stderr);
  const a = outputs(join(dir, 'one'));
  t.deepEqual(a, outputs(join(dir, 'two')));
  t.deepEqual(a, expected(dir, lines.map((l) => [...utf8(l.text), 256])));
});

test('two jsonl keys give two datasets', (t) => {
  const dir = tmp();
  const input = jsonl(dir, 'kv.jsonl', [{ text: 'tx', code: 'c1' }, { text: 'ty', code: '' }]);
  const prefix = join(dir, 'multi');
  const result = run({ inputs: [input], outputPrefix: prefix, keys: ['text', 'code'] });
  t.is(result.code, 0, result.stderr);
  t.deepEqual(outputs(prefix), expected(dir, [utf8('tx'), utf8('ty')]));
  const codeExpected = expected(dir, [utf8('c1')]);
  t.deepEqual(readFileSync(`${prefix}_code_document.bin`), codeExpected.bin);
  t.deepEqual(readFileSync(`${prefix}_code_document.idx`), codeExpected.idx);
});

test('a malformed line stops the run naming file:line, and nothing is written', (t) => {
  const dir = tmp();
  const good = jsonl(dir, 'good.jsonl', [{ text: 'fine' }]);
  const bad = jsonl(dir, 'bad.jsonl', [{ text: 'ok' }, { text: 'ok' }, '{"text": "broken', { text: 'after' }]);
  const prefix = join(dir, 'out');
  const result = run({ inputs: [good, bad], outputPrefix: prefix, workers: 2, batchBytes: 16 });
  t.is(result.code, 1);
  t.true(result.stderr.startsWith(`neox: error: ${bad}:3: malformed JSON (`), result.stderr);
  t.true(result.stderr.endsWith('); fix the line, or pass --skip-invalid to skip and count invalid lines\n'), result.stderr);
  t.deepEqual(readdirSync(dir).sort(), ['bad.jsonl', 'good.jsonl']);
});

test('a missing key and a non-string value are reported exactly', (t) => {
  const dir = tmp();
  const input = jsonl(dir, 'keys.jsonl', [{ text: 'ok' }, { body: 'no text', id: 3 }]);
  const result = run({ inputs: [input], outputPrefix: join(dir, 'out') });
  t.is(result.stderr, `neox: error: ${input}:2: no key "text" (keys: body, id); fix the line, or pass --skip-invalid to skip and count invalid lines\n`);
  const numeric = jsonl(dir, 'num.jsonl', [{ text: 5 }]);
  t.is(run({ inputs: [numeric], outputPrefix: join(dir, 'out') }).stderr,
    `neox: error: ${numeric}:1: key "text" holds a number, expected a string; fix the line, or pass --skip-invalid to skip and count invalid lines\n`);
});

test('--skip-invalid skips and counts bad lines (JSON, keys, UTF-8) and keeps the rest', (t) => {
  const dir = tmp();
  const path = join(dir, 'mixed.jsonl');
  writeFileSync(path, Buffer.concat([
    Buffer.from('{"text": "one"}\n[1, 2]\n{"text": "two"}\nnot json\n'),
    Buffer.from([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d, 0x0a]), // {"text":"\xff"}
    Buffer.from('{"other": 1}\n{"text": "three"}'), // no final newline
  ]));
  const prefix = join(dir, 'out');
  const result = run({ inputs: [path], outputPrefix: prefix, skipInvalid: true, json: true });
  t.is(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout) as { invalidSkipped: number; invalidExamples: string[]; lines: number; documents: number };
  t.is(summary.invalidSkipped, 4);
  t.is(summary.lines, 7);
  t.is(summary.documents, 3);
  t.deepEqual(summary.invalidExamples.map((e) => e.replace(/ \(.*\)$/, '')), [
    `${path}:2: expected a JSON object, got an array`,
    `${path}:4: malformed JSON`,
    `${path}:5: invalid UTF-8`,
    `${path}:6: no key "text"`,
  ]);
  t.deepEqual(outputs(prefix), expected(dir, [utf8('one'), utf8('two'), utf8('three')]));
});

function waitFor(proc: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    proc.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) resolve();
    });
    proc.on('exit', () => reject(new Error(`exited before ${pattern}: ${seen}`)));
  });
}

function exit(proc: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
  test(`a run killed mid-way with ${signal} leaves existing outputs untouched and no partial ones`, async (t) => {
    const dir = tmp();
    const input = jsonl(dir, 'slow.jsonl', Array.from({ length: 4000 }, (_, i) => ({ text: `line ${i}` })));
    const prefix = join(dir, 'out');
    // Existing outputs from an earlier run must survive.
    writeFileSync(`${prefix}_text_document.bin`, 'old bin');
    writeFileSync(`${prefix}_text_document.idx`, 'old idx');
    const proc = spawn(process.execPath, [child, request({ inputs: [input], outputPrefix: prefix, workers: 2, batchBytes: 256, tokenizerArgs: { spinMicros: 2000 }, progressIntervalMs: 50 })], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = exit(proc);
    await waitFor(proc, /preprocess: [1-9][\d,]* docs/);
    proc.kill(signal);
    const { code, signal: by } = await exited;
    if (signal === 'SIGKILL') t.is(by, 'SIGKILL');
    else t.is(code, signal === 'SIGINT' ? 130 : 143);
    t.is(readFileSync(`${prefix}_text_document.bin`, 'utf8'), 'old bin');
    t.is(readFileSync(`${prefix}_text_document.idx`, 'utf8'), 'old idx');
    const left = readdirSync(dir).filter((f) => f.startsWith('out')).sort();
    if (signal !== 'SIGKILL') {
      t.deepEqual(left, ['out_text_document.bin', 'out_text_document.idx']);
    } else {
      // SIGKILL cannot be caught: only unique temporary names can remain, never the outputs.
      t.true(left.every((f) => f === 'out_text_document.bin' || f === 'out_text_document.idx' || /\.tmp-\d+-\d+$/.test(f)), left.join(' '));
    }
  });
}

test('a corrupt compressed input is named, and nothing is written', (t) => {
  const dir = tmp();
  const gz = join(dir, 'broken.jsonl.gz');
  writeFileSync(gz, 'plain text pretending to be gzip\n');
  const result = run({ inputs: [gz], outputPrefix: join(dir, 'out') });
  t.is(result.code, 1);
  t.is(result.stderr, `neox: error: ${gz} is not valid gzip (incorrect header check)\n`);
  t.deepEqual(readdirSync(dir), ['broken.jsonl.gz']);
});
