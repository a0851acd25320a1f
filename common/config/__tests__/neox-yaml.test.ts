import test from 'ava';

import { parseConfigText, parseValueText } from '../neox-yaml';

const values = (text: string) => Object.fromEntries(parseConfigText(text, 'x.yml').map((entry) => [entry.key, entry.value]));

test('GPT-NeoX\'s JSON-with-comments syntax: comments, trailing commas, Python booleans', (t) => {
  const text = `# a comment
{
   # inside the mapping
   "num_layers": 12, # after a value
   "flags": [True, False, true, false, yes, no, On, OFF,],
   "zero_optimization": {"stage": 1, "overlap_comm": True,},
}
`;
  t.deepEqual(values(text), {
    num_layers: 12,
    flags: [true, false, true, false, true, false, true, false],
    zero_optimization: { stage: 1, overlap_comm: true },
  });
});

test('numbers: 1e-8 style exponents are numbers, as are 1.0e-8, 5e8, 1_000_000, hex and octal', (t) => {
  t.deepEqual(values('{a: 1e-8, b: 1.0e-8, c: 5e8, d: 1_000_000, e: 6e-4, f: .5, g: 0x10, h: 0o17, i: 010, j: -3, k: 1.0e8, l: 2.}'), {
    a: 1e-8, b: 1e-8, c: 500000000, d: 1000000, e: 0.0006, f: 0.5, g: 16, h: 15, i: 8, j: -3, k: 100000000, l: 2,
  });
});

test('null, Null, NULL, ~, None and an empty value are null; y, n and dates stay strings', (t) => {
  t.deepEqual(values('a: null\nb: Null\nc: NULL\nd: ~\ne: None\nf:\ng: y\nh: n\ni: 2001-12-14\nj: 1:20\nk: "None"\n'), {
    a: null, b: null, c: null, d: null, e: null, f: null, g: 'y', h: 'n', i: '2001-12-14', j: '1:20', k: 'None',
  });
});

test('keys are kept as written, with their line numbers', (t) => {
  const entries = parseConfigText('{\n  "num-layers": 6,\n  on: 1,\n}\n', 'x.yml');
  t.deepEqual(entries, [
    { key: 'num-layers', value: 6, line: 2 },
    { key: 'on', value: 1, line: 3 },
  ]);
});

test('an empty file or one with only comments has no entries', (t) => {
  t.deepEqual(parseConfigText('', 'empty.yml'), []);
  t.deepEqual(parseConfigText('# nothing here\n\n', 'comments.yml'), []);
});

test('a --set value is read in the same dialect', (t) => {
  t.is(parseValueText('768', 'v'), 768);
  t.is(parseValueText('3e-4', 'v'), 0.0003);
  t.is(parseValueText('True', 'v'), true);
  t.is(parseValueText('', 'v'), null);
  t.is(parseValueText('cosine', 'v'), 'cosine');
  t.deepEqual(parseValueText('[1, 2]', 'v'), [1, 2]);
  t.deepEqual(parseValueText('{enabled: true, loss_scale: 0}', 'v'), { enabled: true, loss_scale: 0 });
});
