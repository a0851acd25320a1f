import test from 'ava';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ConfigError, FileError } from '../../errors';
import { createTokenizer } from '..';
import type { TokenizerSpec } from '../tokenizer';

const dir = mkdtempSync(join(tmpdir(), 'neox-tok-errors-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

function file(content: string, name = `f${counter++}.json`): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** A small valid byte-level tokenizer.json, changed by `edit`. */
function tokenizerJson(edit: (root: Record<string, any>) => void): string {
  const vocab: Record<string, number> = { a: 0, b: 1, ab: 2, '<|endoftext|>': 3 };
  const root: Record<string, any> = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [{ id: 3, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: null,
    pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }] },
    post_processor: null,
    decoder: { type: 'Fuse' },
    model: { type: 'BPE', dropout: null, unk_token: null, vocab, merges: ['a b'] },
  };
  edit(root);
  return file(JSON.stringify(root));
}

const hf = (vocab_file: string | null): TokenizerSpec => ({ tokenizer_type: 'HFTokenizer', vocab_file, merge_file: null });

function throwsOneLine(t: import('ava').ExecutionContext, fn: () => unknown, type: new (...args: any[]) => Error, message: RegExp): void {
  const error = t.throws(fn, { instanceOf: type, message });
  t.false(error?.message.includes('\n') ?? true, 'one line');
}

test('the minimal file loads and encodes (so the failures below are caused by the edits)', (t) => {
  const tokenizer = createTokenizer(hf(tokenizerJson(() => {})));
  t.deepEqual(tokenizer.encode('ab a<|endoftext|>'), [2, 0, 3]);
  t.is(tokenizer.eod, 3);
});

test('unknown, unsupported and incomplete specs are ConfigErrors naming the key', (t) => {
  throwsOneLine(t, () => createTokenizer({ tokenizer_type: 'WordPieceTokenizer', vocab_file: null, merge_file: null }), ConfigError, /tokenizer_type "WordPieceTokenizer" is unknown; use one of GPT2BPETokenizer, HFTokenizer/);
  throwsOneLine(t, () => createTokenizer(hf(null)), ConfigError, /vocab_file is not set; HFTokenizer needs it \(a Hugging Face tokenizer.json\)/);
  throwsOneLine(t, () => createTokenizer({ tokenizer_type: 'GPT2BPETokenizer', vocab_file: 'v.json', merge_file: null }), ConfigError, /merge_file is not set/);
  throwsOneLine(t, () => createTokenizer({ tokenizer_type: 'SPMTokenizer', vocab_file: 'x.model', merge_file: null }), ConfigError, /SPMTokenizer .* is not supported by neox; convert the model to a tokenizer.json/);
  throwsOneLine(t, () => createTokenizer({ tokenizer_type: 'HFGPT2Tokenizer', vocab_file: join(dir, 'nope'), merge_file: null }), ConfigError, /is not a directory; HFGPT2Tokenizer needs a directory/);
  const error = t.throws(() => createTokenizer(hf(null)), { instanceOf: ConfigError });
  t.is(error?.key, 'vocab_file');
});

test('missing and malformed files are FileErrors naming the path', (t) => {
  const missing = join(dir, 'missing.json');
  throwsOneLine(t, () => createTokenizer(hf(missing)), FileError, new RegExp(`tokenizer.json ${missing} does not exist`));
  throwsOneLine(t, () => createTokenizer(hf(dir)), FileError, /is a directory/);
  throwsOneLine(t, () => createTokenizer(hf(file('{"model": '))), FileError, /is not valid JSON/);
  throwsOneLine(t, () => createTokenizer(hf(file('[1, 2]'))), FileError, /\(top level\) must be an object/);
});

test('unsupported components are refused with their key and type', (t) => {
  const cases: Array<[(r: Record<string, any>) => void, RegExp]> = [
    [(r) => (r['model'].type = 'Unigram'), /model.type "Unigram" is not supported by neox \(supported: BPE\)/],
    [(r) => r['pre_tokenizer'].pretokenizers.push({ type: 'BertPreTokenizer' }), /pre_tokenizer.pretokenizers\[1\].type "BertPreTokenizer" is not supported/],
    [(r) => (r['normalizer'] = { type: 'Precompiled', precompiled_charsmap: '' }), /normalizer.type "Precompiled" is not supported/],
    [(r) => (r['decoder'] = { type: 'WordPiece' }), /decoder.type "WordPiece" is not supported/],
    [(r) => (r['post_processor'] = { type: 'Nope' }), /post_processor.type "Nope" is not supported/],
    [(r) => (r['truncation'] = { max_length: 512 }), /truncation is set; neox encodes whole documents, so set "truncation": null/],
    [(r) => (r['model'].dropout = 0.1), /model.dropout is 0.1: BPE dropout makes encoding random; set it to null/],
    [(r) => (r['pre_tokenizer'] = { type: 'Split', pattern: { Regex: '\\bx' }, behavior: 'Isolated', invert: false }), /pre_tokenizer.pattern.Regex: regex "\\\\bx": the escape \\b is not supported/],
    [(r) => (r['pre_tokenizer'] = { type: 'Split', pattern: { Regex: 'x' }, behavior: 'Sideways', invert: false }), /pre_tokenizer.behavior "Sideways" is not one of Removed, Isolated/],
  ];
  for (const [edit, message] of cases) throwsOneLine(t, () => createTokenizer(hf(tokenizerJson(edit))), FileError, message);
});

test('bad vocabularies and merges name the entry at fault', (t) => {
  throwsOneLine(t, () => createTokenizer(hf(tokenizerJson((r) => (r['model'].merges = ['a c'])))), FileError, /merge #0 "a c" uses "c", which is not in the vocabulary/);
  throwsOneLine(t, () => createTokenizer(hf(tokenizerJson((r) => (r['model'].merges = ['a b c'])))), FileError, /model.merges\[0\] "a b c" must be two tokens separated by one space/);
  throwsOneLine(t, () => createTokenizer(hf(tokenizerJson((r) => (r['model'].merges = [['a']])))), FileError, /model.merges\[0\] must be "a b" or \["a", "b"\]/);
  throwsOneLine(t, () => createTokenizer(hf(tokenizerJson((r) => (r['model'].vocab.a = -1)))), FileError, /model.vocab\["a"\] must be a non-negative integer, got -1/);
  throwsOneLine(t, () => createTokenizer(hf(tokenizerJson((r) => (r['added_tokens'][0].content = 7)))), FileError, /added_tokens\[0\].content must be a string, got 7/);
  const noEod = createTokenizer(hf(tokenizerJson((r) => {
    r['added_tokens'] = [];
    delete r['model'].vocab['<|endoftext|>'];
  }))); // loads; only eod is missing
  throwsOneLine(t, () => noEod.eod, FileError, /added_tokens has no <\|endoftext\|> token/);
});

test('GPT-2 files: bad vocab.json and merges.txt lines are reported with the line', (t) => {
  const vocab = file(JSON.stringify({ a: 0, b: 1, ab: 2, '<|endoftext|>': 3 }), 'vocab.json');
  const merges = file('#version: 0.2\na b\n', 'merges.txt');
  const gpt2 = (v: string, m: string): TokenizerSpec => ({ tokenizer_type: 'GPT2BPETokenizer', vocab_file: v, merge_file: m });
  t.deepEqual(createTokenizer(gpt2(vocab, merges)).encode('ab'), [2]);
  throwsOneLine(t, () => createTokenizer(gpt2(vocab, file('#version: 0.2\na b\nc\n', 'm2.txt'))), FileError, /line 3 "c" is not two tokens separated by a space/);
  throwsOneLine(t, () => createTokenizer(gpt2(file('{"a": "zero"}'), merges)), FileError, /the id of "a" is "zero", not a non-negative integer/);
  throwsOneLine(t, () => createTokenizer(gpt2(file('{"a": 0}'), merges)), FileError, /has no "<\|endoftext\|>" entry/);
  throwsOneLine(t, () => createTokenizer(gpt2(file('[]'), merges)), FileError, /must be a JSON object of token → id/);
});
