/**
 * Character classes over every code point: the translated regexes put exactly the code points in
 * \p{L}, \p{N}, \p{Lu}, \p{M}, \p{Cn} and \s that tokenizers' Oniguruma does (Node's newer Unicode
 * tables pinned back, unicode-versions.ts), and TiktokenTokenizer splits every code point as the
 * tiktoken package does.
 */
import test from 'ava';
import { get_encoding, type TiktokenEncoding } from 'tiktoken';

import { createTokenizer } from '../../common/tokenizer';
import { TRANSLATED_FLAGS, translateRegex } from '../../common/tokenizer/regex-translate';
import { UNICODE_17_ADDITIONS } from '../../common/tokenizer/unicode-versions';
import { reference } from './fixtures';

test('\\p{L}, \\p{N}, \\p{Lu}, \\p{M}, \\p{Cn} and \\s hold the same code points as in tokenizers', (t) => {
  const ref = reference('classes', null, []) as unknown as Record<string, number[]>;
  for (const [name, expected] of Object.entries(ref)) {
    const re = new RegExp(`^${translateRegex(name, 'onig')}$`, TRANSLATED_FLAGS);
    const ours: number[] = [];
    for (let cp = 1; cp < 0x110000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      if (re.test(String.fromCodePoint(cp))) ours.push(cp);
    }
    t.true(expected.length > 20, `${name}: the reference found members`);
    const missing = expected.filter((cp) => !re.test(String.fromCodePoint(cp)));
    const expectedSet = new Set(expected);
    const extra = ours.filter((cp) => !expectedSet.has(cp));
    t.deepEqual([missing.slice(0, 5).map((c) => c.toString(16)), extra.slice(0, 5).map((c) => c.toString(16))], [[], []], `${name}: ${missing.length} missing, ${extra.length} extra`);
  }
});

/** 2048-code-point blocks holding characters new in Unicode 17.0. */
const ADDITION_BLOCKS = new Set<number>();
for (const [lo, hi] of UNICODE_17_ADDITIONS) for (let b = lo & ~0x7ff; b <= hi; b += 0x800) ADDITION_BLOCKS.add(b);

for (const name of ['cl100k_base', 'o200k_base'] as TiktokenEncoding[]) {
  test(`${name}: code points between letters and digits split as in tiktoken (Unicode 17 additions and every 4th block)`, (t) => {
    const enc = get_encoding(name);
    const ours = createTokenizer({ tokenizer_type: 'TiktokenTokenizer', vocab_file: name, merge_file: null });
    try {
      for (let base = 0; base < 0x110000; base += 0x800) {
        if (base % 0x2000 !== 0 && !ADDITION_BLOCKS.has(base)) continue;
        let text = '';
        for (let cp = base; cp < base + 0x800; cp++) {
          if (cp < 0xd800 || cp > 0xdfff) text += `a${String.fromCodePoint(cp)}1!A${String.fromCodePoint(cp)}b `;
        }
        const a = ours.encode(text);
        const b = enc.encode(text, [], []);
        if (a.length !== b.length || a.some((x, i) => x !== b[i])) t.fail(`block U+${base.toString(16)}`);
      }
      t.pass();
    } finally {
      enc.free();
    }
  });
}
