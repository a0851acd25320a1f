/**
 * Each supported tokenizer.json component against Hugging Face `tokenizers`, one at a time:
 * every Split behavior (inverted or not, regex and literal patterns), Digits, WhitespaceSplit,
 * Metaspace schemes, ByteLevel with a prefix space inside a Sequence, the normalizers, and the
 * BPE options (continuing_subword_prefix, end_of_word_suffix, unk with and without fuse_unk,
 * byte_fallback, ignore_merges). The vocabulary holds every character with and without an
 * end-of-word suffix, so the ids show exactly where each piece starts and ends.
 */
import test from 'ava';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { BYTE_TO_CHAR } from '../../common/tokenizer/byte-level';
import { createTokenizer } from '../../common/tokenizer';
import { edgeCases, makeDocument } from './corpus';
import { firstDifference, referenceMany } from './fixtures';

type Json = Record<string, unknown>;

const texts = [...edgeCases(['<|endoftext|>']).filter((x) => x.length < 1000)];
for (let i = 0; i < 12; i++) texts.push(makeDocument(1500, { seed: 4000 + i, specials: ['<|endoftext|>'] }));

const chars = new Set<string>();
for (const text of texts) for (const form of [text, text.normalize('NFKD').toLowerCase(), text.toLowerCase()]) for (const ch of form) chars.add(ch);
for (const ch of BYTE_TO_CHAR) chars.add(ch);
chars.add('▁');

interface ModelOptions {
  prefix?: string;
  suffix?: string;
  /** leave these characters out of the vocabulary */
  drop?: (ch: string) => boolean;
  unk?: string;
  fuseUnk?: boolean;
  byteFallback?: boolean;
  ignoreMerges?: boolean;
}

function model(o: ModelOptions): Json {
  const vocab: Record<string, number> = {};
  const add = (t: string): void => {
    if (!(t in vocab)) vocab[t] = Object.keys(vocab).length;
  };
  add('<|endoftext|>');
  if (o.unk) add(o.unk);
  if (o.byteFallback) for (let b = 0; b < 256; b++) add(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  const suffix = o.suffix ?? '';
  const prefix = o.prefix ?? '';
  for (const ch of chars) {
    if (o.drop?.(ch)) continue;
    for (const t of [ch, ch + suffix, prefix + ch, prefix + ch + suffix]) add(t);
  }
  // a few merges, so the prefix/suffix rules of merging are exercised too
  const merges: string[] = [];
  const merge = (a: string, b: string): void => {
    if (a in vocab && b in vocab) {
      add(a + b.slice(prefix.length));
      merges.push(`${a} ${b}`);
    }
  };
  merge('t', `${prefix}h`);
  merge('th', `${prefix}e${suffix}`);
  merge('e', `${prefix}e`);
  merge('l', `${prefix}l`);
  if (o.ignoreMerges) add(`hello${suffix}`);
  return {
    type: 'BPE', dropout: null, unk_token: o.unk ?? null, continuing_subword_prefix: o.prefix ?? null, end_of_word_suffix: o.suffix ?? null,
    fuse_unk: o.fuseUnk ?? false, byte_fallback: o.byteFallback ?? false, ignore_merges: o.ignoreMerges ?? false, vocab, merges,
  };
}

const special = { id: 0, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };

const added = (id: number, content: string, flags: Partial<Record<'single_word' | 'lstrip' | 'rstrip' | 'normalized' | 'special', boolean>> = {}): Json =>
  ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: false, ...flags });

function config(name: string, parts: { normalizer?: Json; pre?: Json; model?: ModelOptions; added?: Json[] }): [string, Json] {
  return [name, {
    version: '1.0', truncation: null, padding: null, added_tokens: [special, ...(parts.added ?? [])],
    normalizer: parts.normalizer ?? null, pre_tokenizer: parts.pre ?? null, post_processor: null, decoder: null,
    model: model(parts.model ?? { suffix: '</w>' }),
  }];
}

const split = (pattern: Json, behavior: string, invert: boolean): Json => ({ type: 'Split', pattern, behavior, invert });
const CONFIGS: Array<[string, Json]> = [];
for (const behavior of ['Removed', 'Isolated', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous']) {
  for (const invert of [false, true]) {
    CONFIGS.push(config(`Split regex ${behavior}${invert ? ' inverted' : ''}`, { pre: split({ Regex: '\\d+|[a-z]+|\\s' }, behavior, invert) }));
  }
  CONFIGS.push(config(`Split string ${behavior}`, { pre: split({ String: ' ' }, behavior, false) }));
}
CONFIGS.push(
  config('Digits individual', { pre: { type: 'Digits', individual_digits: true } }),
  config('Digits contiguous', { pre: { type: 'Digits', individual_digits: false } }),
  config('WhitespaceSplit', { pre: { type: 'WhitespaceSplit' } }),
  config('Metaspace always, split', { pre: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true } }),
  config('Metaspace first, no split', { pre: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: false } }),
  config('Metaspace never', { pre: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'never', split: true } }),
  config('ByteLevel prefix space then Digits', { pre: { type: 'Sequence', pretokenizers: [{ type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true }, { type: 'Digits', individual_digits: true }] } }),
  config('ByteLevel prefix space, no regex', { pre: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: false } }),
  config('Strip + Replace(regex) + Lowercase', { normalizer: { type: 'Sequence', normalizers: [{ type: 'Strip', strip_left: true, strip_right: true }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }] }, pre: { type: 'WhitespaceSplit' } }),
  config('NFKD + Prepend', { normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKD' }, { type: 'Prepend', prepend: '▁' }] }, pre: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'never', split: true } }),
  config('continuing_subword_prefix + end_of_word_suffix', { pre: { type: 'WhitespaceSplit' }, model: { prefix: '##', suffix: '</w>' } }),
  config('unk, not fused', { pre: { type: 'WhitespaceSplit' }, model: { suffix: '</w>', unk: '<unk>', drop: (c) => /\p{Script=Han}|\p{Script=Hangul}|\p{Extended_Pictographic}/u.test(c) } }),
  config('unk, fused', { pre: { type: 'WhitespaceSplit' }, model: { suffix: '</w>', unk: '<unk>', fuseUnk: true, drop: (c) => /\p{Script=Han}|\p{Script=Hangul}|\p{Extended_Pictographic}/u.test(c) } }),
  config('byte_fallback', { pre: { type: 'WhitespaceSplit' }, model: { byteFallback: true, unk: '<unk>', drop: (c) => c.codePointAt(0)! > 0x3000 } }),
  config('no unk: unknown characters dropped', { pre: { type: 'WhitespaceSplit' }, model: { drop: (c) => c.codePointAt(0)! > 0x3000 } }),
  config('ignore_merges', { pre: { type: 'WhitespaceSplit' }, model: { ignoreMerges: true } }),
  config('added tokens: ids re-assigned as on load (gaps, vocabulary contents, duplicates)', {
    pre: { type: 'WhitespaceSplit' },
    added: [added(9000, '<new1>'), added(7, 'th'), added(9005, '<new2>', { special: true, normalized: false }), added(1, '<new1>'), added(3, 'world')],
  }),
  config('added tokens: normalized ones match the normalized text, flags on both kinds', {
    normalizer: { type: 'Lowercase' },
    pre: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: true },
    added: [
      added(0, '<Tag>', { single_word: true }),
      added(0, '<SEP>', { special: true, normalized: false, lstrip: true }),
      added(0, 'HELLO', { rstrip: true }),
      added(0, ' ', { special: true, normalized: false }),
      added(0, 'é', { normalized: true, lstrip: true, rstrip: true }),
    ],
  }),
);
for (const text of ['<TAG> x<tag> <Tag>y  <SEP>  hello  HELLO\tworld é  ée', 'a <SEP><SEP> b', '<tag>', ' <SEP> ']) texts.push(text);

const dir = mkdtempSync(join(tmpdir(), 'neox-tok-components-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const paths = CONFIGS.map(([, json], k) => {
  const path = join(dir, `c${k}.json`);
  writeFileSync(path, JSON.stringify(json));
  return path;
});
const refs = referenceMany(paths, texts);

CONFIGS.forEach(([name], k) => {
  test(`${name}: ids equal Hugging Face tokenizers`, (t) => {
    const tokenizer = createTokenizer({ tokenizer_type: 'HFTokenizer', vocab_file: paths[k]!, merge_file: null });
    let compared = 0;
    texts.forEach((text, i) => {
      const diff = firstDifference(tokenizer.encode(text), refs[k]!.ids[i]!);
      if (diff !== null) t.fail(`text #${i} ${JSON.stringify(text.slice(0, 50))}: ${diff}`);
      t.is(tokenizer.decode(refs[k]!.ids[i]!), refs[k]!.decoded[i]!, `decode of text #${i}`);
      compared++;
    });
    t.is(compared, texts.length);
    t.is(tokenizer.vocabSize, refs[k]!.vocab_size);
  });
});
