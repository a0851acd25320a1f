import test from 'ava';

import type { Tokenizer } from '../../../common/tokenizer';
import { encodePair, rollingRequests } from '../requests';

/** One id per character: enough to see where text goes. */
const chars: Tokenizer = {
  type: 'test', vocabSize: 256, eod: 0,
  encode: (text) => [...text].map((c) => c.charCodeAt(0)),
  decode: (ids) => String.fromCharCode(...Array.from(ids)),
  tokenToId: () => undefined, idToToken: () => undefined,
};

test('encodePair: trailing spaces of the context move to the continuation; an empty context is the prefix token', (t) => {
  t.deepEqual(encodePair(chars, 'ab  ', 'c', 9), { context: [97, 98], continuation: [32, 32, 99] });
  t.deepEqual(encodePair(chars, '', 'xy', 9), { context: [9], continuation: [120, 121] });
});

test('rollingRequests: lm-eval\'s disjoint windows (10 tokens, 4 predicted per window)', (t) => {
  const tokens = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
  t.deepEqual(rollingRequests(tokens, 0, 4), [
    { context: [0], continuation: [10, 11, 12, 13] },
    { context: [13], continuation: [14, 15, 16, 17] },
    { context: [15, 16, 17], continuation: [18, 19] },
  ]);
  t.deepEqual(rollingRequests([], 0, 4), []);
});
