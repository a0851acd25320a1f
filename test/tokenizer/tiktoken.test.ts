/**
 * TiktokenTokenizer against the tiktoken npm package (the same Rust core as Python's tiktoken,
 * compiled to WASM): identical ids on a varied corpus for every shipped encoding, special-token
 * text refused as tiktoken's default encode refuses it, strict decoding, n_vocab and eot_token.
 */
import test from 'ava';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get_encoding, type TiktokenEncoding } from 'tiktoken';

import { createTokenizer } from '../../common/tokenizer';
import { TokenizerInputError } from '../../common/tokenizer/errors';
import { edgeCases, makeDocument } from './corpus';
import { firstDifference, tiktokenEncodersDir } from './fixtures';

const texts = [...edgeCases([])];
for (let i = 0; i < 30; i++) texts.push(makeDocument(4000, { seed: 3000 + i }));
const ENCODINGS: TiktokenEncoding[] = ['gpt2', 'r50k_base', 'p50k_base', 'p50k_edit', 'cl100k_base', 'o200k_base'];

/** tiktoken's n_vocab, max_token_value + 1, computed from the package's data file. */
function nVocab(name: string): number {
  const data = JSON.parse(readFileSync(join(tiktokenEncodersDir(), `${name}.json`), 'utf8')) as { bpe_ranks: string; special_tokens: Record<string, number> };
  const parts = data.bpe_ranks.split(' ');
  return Math.max(Number(parts[1]) + parts.length - 3, ...Object.values(data.special_tokens)) + 1;
}

for (const name of ENCODINGS) {
  test(`${name}: ids equal tiktoken's, decode round-trips, n_vocab and eot_token`, (t) => {
    const ours = createTokenizer({ tokenizer_type: 'TiktokenTokenizer', vocab_file: name, merge_file: null });
    const enc = get_encoding(name);
    try {
      for (const text of texts) {
        const ids = ours.encode(text);
        const diff = firstDifference(ids, enc.encode(text));
        if (diff !== null) t.fail(`${JSON.stringify(text.slice(0, 60))}: ${diff}`);
        t.is(ours.decode(ids), text);
      }
      t.is(ours.vocabSize, nVocab(name));
      t.is(ours.eod, enc.encode('<|endoftext|>', 'all')[0]!);
    } finally {
      enc.free();
    }
  });
}

test('special-token text is refused like tiktoken.encode(text) (GPT-NeoX tokenize), naming the token', (t) => {
  const ours = createTokenizer({ tokenizer_type: 'TiktokenTokenizer', vocab_file: 'cl100k_base', merge_file: null });
  const enc = get_encoding('cl100k_base');
  t.throws(() => enc.encode('a <|endoftext|> b'));
  enc.free();
  t.throws(() => ours.encode('a <|endoftext|> b'), { instanceOf: TokenizerInputError, message: /"<\|endoftext\|>" at offset 2/ });
  t.is(ours.decode([ours.eod]), '<|endoftext|>');
});

test('decode is strict: ids that split a UTF-8 character throw', (t) => {
  const ours = createTokenizer({ tokenizer_type: 'TiktokenTokenizer', vocab_file: 'gpt2', merge_file: null });
  const ids = ours.encode('😀');
  t.true(ids.length > 1);
  t.throws(() => ours.decode(ids.slice(0, 1)), { instanceOf: TokenizerInputError, message: /invalid UTF-8/ });
  t.throws(() => ours.decode([999999]), { message: /id 999999 is not in the encoding/ });
});

test('a .tiktoken file named after its encoding loads the same tokenizer; other names are refused', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'neox-tiktoken-'));
  const data = JSON.parse(readFileSync(join(tiktokenEncodersDir(), 'r50k_base.json'), 'utf8')) as { bpe_ranks: string };
  const tokens = data.bpe_ranks.split(' ').slice(2);
  const file = join(dir, 'r50k_base.tiktoken');
  writeFileSync(file, tokens.map((tok, rank) => `${tok} ${rank}\n`).join(''));
  const fromFile = createTokenizer({ tokenizer_type: 'TiktokenTokenizer', vocab_file: file, merge_file: null });
  const byName = createTokenizer({ tokenizer_type: 'TiktokenTokenizer', vocab_file: 'r50k_base', merge_file: null });
  for (const text of texts.slice(0, 40)) t.deepEqual(fromFile.encode(text), byName.encode(text));
  const renamed = join(dir, 'mine.tiktoken');
  copyFileSync(file, renamed);
  t.throws(() => createTokenizer({ tokenizer_type: 'TiktokenTokenizer', vocab_file: renamed, merge_file: null }), { message: /its name must be a known encoding/ });
  t.throws(() => createTokenizer({ tokenizer_type: 'TiktokenTokenizer', vocab_file: 'no_such_encoding', merge_file: null }), { message: /neither a tiktoken encoding name .* nor an existing \.tiktoken file/ });
  writeFileSync(join(dir, 'cl100k_base.tiktoken'), 'not base64! 1\n');
  t.throws(() => createTokenizer({ tokenizer_type: 'TiktokenTokenizer', vocab_file: join(dir, 'cl100k_base.tiktoken'), merge_file: null }), { message: /line 1 .* is not "<base64 token> <rank>"/ });
  rmSync(dir, { recursive: true, force: true });
});
