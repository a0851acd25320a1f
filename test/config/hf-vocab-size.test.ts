/** The HFTokenizer vocabulary count against the Hugging Face tokenizers library (Python oracle). */
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadConfig } from '../../common/config';
import { runOracle } from '../oracle/python';

test('unpadded_vocab_size of a tokenizer.json equals get_vocab_size(with_added_tokens=True)', (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'neox-vocab-')), 'tokenizer.json');
  const reference = Number(runOracle(join('..', 'config', 'hf_vocab_size.py'), [path]).trim());
  t.is(reference, 9); // 6 in model.vocab + <|padding|>, "  " and zzz (<|endoftext|> and c are already there)
  const config = loadConfig([], { purpose: 'show', overrides: ['tokenizer_type=HFTokenizer', `vocab_file=${path}`, 'make_vocab_size_divisible_by=8'] });
  t.is(config.unpadded_vocab_size, reference);
  t.is(config.padded_vocab_size, 16);
});
