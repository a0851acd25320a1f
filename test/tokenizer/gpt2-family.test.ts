/**
 * GPT2BPETokenizer, HFGPT2Tokenizer and CharLevelTokenizer against references: GPT-NeoX's GPT-2
 * algorithm (reference_tokenize.py gpt2-classic, over real GPT-2 files rebuilt from the r50k
 * ranks), transformers' GPT2TokenizerFast + <|padding|>, and UTF-8 bytes for the char level.
 */
import test from 'ava';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { createTokenizer, type Tokenizer } from '../../common/tokenizer';
import { edgeCases, makeDocument } from './corpus';
import { buildFixtures, firstDifference, reference, type Reference } from './fixtures';

const dir = buildFixtures(['gpt2']);
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const gpt2 = join(dir, 'gpt2');
const filesOnly = join(dir, 'gpt2-files-only');
mkdirSync(filesOnly);
for (const f of ['vocab.json', 'merges.txt']) copyFileSync(join(gpt2, f), join(filesOnly, f));

const SPECIALS = ['<|endoftext|>', '<|padding|>'];
const texts = [...edgeCases(SPECIALS)];
for (let i = 0; i < 30; i++) texts.push(makeDocument(4000, { seed: 7000 + i, specials: SPECIALS }));

function sameAsReference(t: import('ava').ExecutionContext, tokenizer: Tokenizer, ref: Reference): void {
  texts.forEach((text, i) => {
    const diff = firstDifference(tokenizer.encode(text), ref.ids[i]!);
    if (diff !== null) t.fail(`text #${i} ${JSON.stringify(text.slice(0, 60))}: ${diff}`);
    t.is(tokenizer.decode(ref.ids[i]!), ref.decoded[i]!, `decode of text #${i}`);
  });
  t.is(tokenizer.vocabSize, ref.vocab_size);
  t.is(tokenizer.eod, ref.eod as number);
}

test('GPT2BPETokenizer equals GPT-NeoX GPT-2 BPE (special-token text is plain text), eod 50256', (t) => {
  const tokenizer = createTokenizer({ tokenizer_type: 'GPT2BPETokenizer', vocab_file: join(gpt2, 'vocab.json'), merge_file: join(gpt2, 'merges.txt') });
  sameAsReference(t, tokenizer, reference('gpt2-classic', gpt2, texts));
  t.is(tokenizer.eod, 50256);
  t.is(tokenizer.vocabSize, 50257);
  t.true(tokenizer.encode('<|endoftext|>').length > 1, '<|endoftext|> is not matched as one token');
});

test('HFGPT2Tokenizer equals transformers GPT2TokenizerFast + <|padding|> (directory with tokenizer.json)', (t) => {
  const tokenizer = createTokenizer({ tokenizer_type: 'HFGPT2Tokenizer', vocab_file: gpt2, merge_file: null });
  sameAsReference(t, tokenizer, reference('hfgpt2', gpt2, texts));
  t.deepEqual(tokenizer.encode('<|endoftext|><|padding|>'), [50256, 50257]);
});

test('HFGPT2Tokenizer equals transformers GPT2TokenizerFast + <|padding|> (directory with vocab.json and merges.txt)', (t) => {
  const tokenizer = createTokenizer({ tokenizer_type: 'hfgpt2tokenizer', vocab_file: filesOnly, merge_file: null });
  sameAsReference(t, tokenizer, reference('hfgpt2', filesOnly, texts));
  t.is(tokenizer.type, 'HFGPT2Tokenizer');
});

test('TiktokenTokenizer gpt2 gives the same ids as GPT2BPETokenizer on GPT-2 files built from the same ranks', (t) => {
  const tiktoken = createTokenizer({ tokenizer_type: 'TiktokenTokenizer', vocab_file: 'gpt2', merge_file: null });
  const bpe = createTokenizer({ tokenizer_type: 'GPT2BPETokenizer', vocab_file: join(gpt2, 'vocab.json'), merge_file: join(gpt2, 'merges.txt') });
  for (const text of texts.filter((x) => !SPECIALS.some((s) => x.includes(s)))) {
    t.is(firstDifference(tiktoken.encode(text), bpe.encode(text)), null, JSON.stringify(text.slice(0, 40)));
  }
});

test('CharLevelTokenizer: UTF-8 bytes, vocab 512, eod 0, decode chr(clamp(id, 32, 512)) as GPT-NeoX', (t) => {
  const tokenizer = createTokenizer({ tokenizer_type: 'CharLevelTokenizer', vocab_file: null, merge_file: null });
  sameAsReference(t, tokenizer, reference('charlevel', null, texts));
  t.is(tokenizer.decode(tokenizer.encode('plain ASCII text')), 'plain ASCII text');
  t.is(tokenizer.decode([0, 1, 600]), '  \u0200');
});
