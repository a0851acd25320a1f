/** The data commands through the real `neox` CLI (CharLevelTokenizer: UTF-8 bytes, EOD 0). */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { packageRoot } from '../../common/paths';
import { numpyOracle } from './oracle';

const cli = join(packageRoot(), 'dist', 'client', 'cli', 'main.js');
const tmp = () => mkdtempSync(join(tmpdir(), 'neox-datacli-'));
const utf8 = (s: string) => Array.from(Buffer.from(s, 'utf8'));

function neox(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function corpus(dir: string): { path: string; texts: string[] } {
  const texts = Array.from({ length: 200 }, (_, i) => `doc ${i}: ${'ünïcode text '.repeat(i % 13)}end`);
  const path = join(dir, 'corpus.jsonl');
  writeFileSync(path, texts.map((text, i) => JSON.stringify({ id: i, text })).join('\n') + '\n');
  return { path, texts };
}

test('neox preprocess with CharLevelTokenizer writes what numpy writes, for 1 and 2 workers', (t) => {
  const dir = tmp();
  const { path, texts } = corpus(dir);
  const reference = join(dir, 'reference');
  numpyOracle('write-indexed', { prefix: reference, dtype: 'uint16', documents: texts.map((s) => [...utf8(s), 0]) });
  for (const workers of ['1', '2']) {
    const prefix = join(dir, `w${workers}`);
    const result = neox('preprocess', '--input', path, '--output-prefix', prefix, '--tokenizer-type', 'CharLevelTokenizer', '--append-eod', '--workers', workers);
    t.is(result.code, 0, result.stderr);
    t.regex(result.stdout, new RegExp(`^wrote ${prefix}_text_document\\.bin/\\.idx: 200 documents, [\\d,]+ tokens \\(uint16\\)\\n`));
    t.regex(result.stdout, /docs\/s, [\d.]+ MB\/s, .* tokens\/s \((1 worker|2 workers), CharLevelTokenizer, vocab 512\)/);
    t.deepEqual(readFileSync(`${prefix}_text_document.bin`), readFileSync(`${reference}.bin`));
    t.deepEqual(readFileSync(`${prefix}_text_document.idx`), readFileSync(`${reference}.idx`));
  }
});

test('neox dataset inspect reports counts, extremes and sizes', (t) => {
  const dir = tmp();
  const prefix = join(dir, 'small');
  numpyOracle('write-indexed', { prefix, dtype: 'uint16', documents: [[1, 2, 3], [4], [5, 6, 7, 8, 9], [10, 11]] });
  const result = neox('dataset', 'inspect', prefix, '--json');
  t.is(result.code, 0, result.stderr);
  t.deepEqual(JSON.parse(result.stdout), {
    prefix, format: 'mmap', dtype: 'uint16', items: 4, documents: 4, tokens: 11,
    shortestDocument: { index: 1, tokens: 1 }, longestDocument: { index: 2, tokens: 5 }, meanDocumentTokens: 2.75,
    binBytes: 22, idxBytes: 34 + 12 * 4 + 8 * 5, note: null,
  });
  const text = neox('dataset', 'inspect', `${prefix}.idx`);
  t.is(text.code, 0);
  t.regex(text.stdout, /^documents {2}4\ntokens {5}11 \(mean 2\.8 per document\)$/m);
});

test('neox dataset inspect of a broken file is one line and exit 1', (t) => {
  const dir = tmp();
  const prefix = join(dir, 'broken');
  writeFileSync(`${prefix}.idx`, Buffer.from('MMIDIDX\0\0'));
  writeFileSync(`${prefix}.bin`, '');
  const result = neox('dataset', 'inspect', prefix);
  t.is(result.code, 1);
  t.is(result.stderr, `neox: error: ${prefix}.idx is truncated: 9 bytes, shorter than the 34-byte header; re-run neox preprocess\n`);
});

test('neox preprocess flags are checked before anything runs', (t) => {
  const dir = tmp();
  const { path } = corpus(dir);
  t.is(neox('preprocess', '--input', path, '--tokenizer-type', 'CharLevelTokenizer').stderr,
    'neox: error: --output-prefix is required (outputs are PREFIX_KEY_document.bin/.idx)\n');
  t.is(neox('preprocess', '--input', path, '--output-prefix', join(dir, 'o'), '--tokenizer-type', 'CharLevelTokenizer', '--workers', '0').stderr,
    'neox: error: --workers 0 must be an integer ≥ 1\n');
  t.is(neox('preprocess', '--input', join(dir, 'nope.jsonl'), '--output-prefix', join(dir, 'o'), '--tokenizer-type', 'CharLevelTokenizer').stderr,
    `neox: error: input ${join(dir, 'nope.jsonl')} does not exist or is not a file\n`);
  t.is(neox('preprocess', '--input', path, '--output-prefix', join(dir, 'missing', 'o'), '--tokenizer-type', 'CharLevelTokenizer').stderr,
    `neox: error: the output directory ${join(dir, 'missing')} (of --output-prefix ${join(dir, 'missing', 'o')}) does not exist; create it first\n`);
  const unknown = neox('preprocess', '--input', path, '--output-prefix', join(dir, 'o'), '--tokenizer-type', 'Nope');
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /^neox: error: the tokenizer failed to load: tokenizer_type "Nope" is unknown; use one of /);
  t.false(existsSync(join(dir, 'o_text_document.bin')));
});

test('neox dataset samples prints the first training samples of a config', (t) => {
  const dir = tmp();
  const prefix = join(dir, 'tiny_text_document');
  numpyOracle('write-indexed', { prefix, dtype: 'uint16', documents: [[1, 2, 3, 4, 5], [10, 11, 12], [20, 21, 22, 23, 24, 25, 26], [30, 31]] });
  const config = join(dir, 'tiny.yml');
  writeFileSync(config, [
    '{',
    `  "data_path": "${prefix}",`,
    '  "split": "1",',
    '  "seq_length": 4, "max_position_embeddings": 4,',
    '  "num_layers": 1, "hidden_size": 8, "num_attention_heads": 2,',
    '  "train_micro_batch_size_per_gpu": 2, "train_iters": 3, "eval_iters": 0,',
    '  "seed": 1234,',
    '  "optimizer": {"type": "Adam", "params": {"lr": 0.001}},',
    '}',
  ].join('\n'));
  const result = neox('dataset', 'samples', config, '--first', '3', '--json');
  t.is(result.code, 0, result.stderr);
  const output = JSON.parse(result.stdout) as { split: string; seq_length: number; length: number; samples: number[][] };
  t.is(output.split, 'train');
  t.is(output.seq_length, 4);
  t.is(output.samples.length, 3);
  const ref = numpyOracle<{ samples: number[][] }>('index-maps', { sizes: [5, 3, 7, 2], start: 0, end: 4, num_samples: 6, seq_length: 4, seed: 1234, tokens: true, return_arrays: false });
  // Token t of document k is its value in the file above; map the oracle's 100·k + t convention.
  const values = [[1, 2, 3, 4, 5], [10, 11, 12], [20, 21, 22, 23, 24, 25, 26], [30, 31]];
  t.deepEqual(output.samples, ref.samples.slice(0, 3).map((s) => s.map((v) => values[Math.floor(v / 100)]![v % 100]!)));
  t.true(existsSync(`${prefix}_train_indexmap_6ns_4sl_1234s_packedpi_ac_doc_idx.npy`));

  // Text form, a second split, and the world size changing the requested count (and cache name).
  const text = neox('dataset', 'samples', config, '--first', '2');
  t.is(text.stdout, `train: 7 samples of 4 + 1 tokens\nsample 0: ${output.samples[0]!.join(' ')}\nsample 1: ${output.samples[1]!.join(' ')}\n`);
  t.is(neox('dataset', 'samples', config, '--split', 'valid').stderr, 'neox: error: the config has no valid data (its split gives it no documents, or no valid_data_paths)\n');
  const wide = neox('dataset', 'samples', config, '--world-size', '2', '--json');
  t.is(wide.code, 0, wide.stderr);
  t.true(existsSync(`${prefix}_train_indexmap_12ns_4sl_1234s_packedpi_ac_doc_idx.npy`));
});

