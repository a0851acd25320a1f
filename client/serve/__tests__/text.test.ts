import test from 'ava';
import { join } from 'node:path';

import { packageRoot } from '../../../common/paths';
import { createTokenizer } from '../../../common/tokenizer';
import { IncrementalDecoder } from '../incremental-decoder';
import { StopStrings } from '../stop-strings';
import { TokenText } from '../token-text';

// The serve tests' byte-level BPE (test/serve/fixtures): multi-byte characters span tokens.
const tokenizer = createTokenizer({
  tokenizer_type: 'HFTokenizer',
  vocab_file: join(packageRoot(), 'test', 'serve', 'fixtures', 'reference-tokenizer', 'tokenizer.json'),
  merge_file: null,
});
const text = new TokenText(tokenizer);
const SAMPLE = 'naïve café — 😀 Shall I compare thee?\n¿Qué?';

test('pieces add up to decode(all), never show half a character, and wait for the rest of one', (t) => {
  const ids = tokenizer.encode(SAMPLE);
  const decoder = new IncrementalDecoder(text);
  const pieces = ids.map((id) => decoder.push(id));
  pieces.push(decoder.flush());
  t.is(pieces.join(''), SAMPLE);
  t.is(decoder.text, SAMPLE);
  t.false(pieces.some((p) => p.includes('\uFFFD')));
  t.true(pieces.includes(''), 'the emoji spans tokens, so some push returns nothing yet');
});

test('a prompt given as context is not part of the text but shapes the boundary', (t) => {
  const prompt = tokenizer.encode('Shall I compare');
  const rest = tokenizer.encode(' thee to a summer’s day');
  const decoder = new IncrementalDecoder(text, prompt);
  for (const id of rest) decoder.push(id);
  decoder.flush();
  t.is(decoder.text, ' thee to a summer’s day');
  t.is(tokenizer.decode([...prompt, ...rest]), tokenizer.decode(prompt) + decoder.text);
});

test('flush emits an incomplete character as U+FFFD', (t) => {
  const ids = tokenizer.encode('😀');
  t.true(ids.length > 1);
  const decoder = new IncrementalDecoder(text);
  t.is(decoder.push(ids[0]!), '');
  t.is(decoder.flush(), '\uFFFD');
});

test('token pieces: decoded text, else the vocabulary entry, else <|id:N|>', (t) => {
  t.is(text.piece(tokenizer.encode(' thee')[0]!), tokenizer.decode([tokenizer.encode(' thee')[0]!]));
  t.is(text.piece(tokenizer.eod), '<|endoftext|>'); // decode skips special tokens
  const partial = tokenizer.encode('😀')[0]!;
  t.is(text.piece(partial), tokenizer.idToToken(partial)!);
  t.is(text.piece(505), '<|id:505|>'); // a padded row: no token
  t.is(text.decode([...tokenizer.encode('ab'), 505, 600]), 'ab');
});

test('stop strings: the earliest match, only new ones, and the hold-back length', (t) => {
  const stops = new StopStrings(['\n\n', 'END', 'x']);
  t.is(stops.holdBack, 2);
  t.is(stops.find('abc\n\nEND', 0), 3);
  t.is(stops.find('abEND\n\n', 0), 2);
  t.is(stops.find('abcEN', 0), -1);
  t.is(stops.find('abcEND', 5), 3, 'a match that ends in the new text counts even if it starts before');
  t.is(stops.find('abc', 3), -1);
  t.is(new StopStrings([]).holdBack, 0);
  t.is(new StopStrings([]).find('anything', 0), -1);
});
