import test from 'ava';

import { RegexSyntaxError } from '../errors';
import { TRANSLATED_FLAGS, translateRegex } from '../regex-translate';

const re = (pattern: string, flavor: 'onig' | 'fancy' = 'onig'): RegExp => new RegExp(translateRegex(pattern, flavor), `g${TRANSLATED_FLAGS}`);
const all = (pattern: string, text: string, flavor: 'onig' | 'fancy' = 'onig'): string[] => text.match(re(pattern, flavor)) ?? [];

test('\\s is the White_Space property: U+0085 yes, U+FEFF / U+200B / U+180E no', (t) => {
  t.deepEqual(all('\\s', 'a\u0085b\ufeffc\u200bd\u180ee\u3000f'), ['\u0085', '\u3000']);
  t.deepEqual(all('[^\\s]+', 'x\u0085y\ufeff'), ['x', 'y\ufeff']);
  t.deepEqual(all('[^\\S\\n]+', 'a \t\nb'), [' \t']);
  t.deepEqual(all('\\S+', '\ufeffa\u0085b'), ['\ufeffa', 'b']);
});

test('(?i:...) expands letters to every case variant JS folding accepts, including ſ for s', (t) => {
  t.deepEqual(all("(?i:'s|'ll)", "'s 'S 'ſ 'LL 'lL 'x"), ["'s", "'S", "'ſ", "'LL", "'lL"]);
  t.deepEqual(all("(?i:k)", 'kK\u212ax'), ['k', 'K', '\u212a']);
  t.deepEqual(all("a(?i:b)c", 'abc aBc ABC'), ['abc', 'aBc'], 'case-insensitivity stays inside the group');
});

test('possessive quantifiers and atomic groups do not backtrack', (t) => {
  t.deepEqual(all('a++a', 'aaaa'), [], 'a++ keeps every a, so the trailing a never matches');
  t.deepEqual(all('a+a', 'aaaa'), ['aaaa']);
  t.deepEqual(all('(?>a|ab)c', 'abc ac'), ['ac'], 'the atomic group commits to "a" and never retries "ab"');
  t.deepEqual(all('(?:a|ab)c', 'abc ac'), ['abc', 'ac']);
  t.deepEqual(all('\\s++$', 'x  \ny  ', 'fancy'), ['  ']);
});

test('anchors and dot: Oniguruma lines vs fancy-regex text; . excludes only \\n', (t) => {
  t.deepEqual(all('\\w+$', 'ab\ncd'), ['ab', 'cd']);
  t.deepEqual(all('\\w+$', 'ab\ncd', 'fancy'), ['cd']);
  t.deepEqual(all('.+', 'a\rb\nc\u2028d'), ['a\rb', 'c\u2028d']);
});

test('Unicode \\d and \\w, \\x{...}, \\p{Script}, lone braces and needless escapes', (t) => {
  t.deepEqual(all('\\d+', '12٣٤x'), ['12٣٤']);
  t.deepEqual(all('\\w+', 'héllo_wörld!'), ['héllo_wörld']);
  t.deepEqual(all('\\x{1F600}', 'a😀'), ['😀']);
  t.deepEqual(all('\\p{Han}+', 'ab漢字c'), ['漢字']);
  t.deepEqual(all('a{b}\\-\\\'', "a{b}-'"), ["a{b}-'"]);
  t.deepEqual(all('\\p{N}{1,3}', '12345'), ['123', '45']);
  t.deepEqual(all('x{,2}', 'xxx'), ['xx', 'x', '']);
});

test('the GPT-2 and cl100k patterns split as their engines do', (t) => {
  const gpt2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
  t.deepEqual(all(gpt2, "Hello  world's 123!!\n\n x"), ['Hello', ' ', ' world', "'s", ' 123', '!!', '\n\n', ' x']);
  const cl100k = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
  t.deepEqual(all(cl100k, "I'LL pay 12345 $ now\r\n\r\n  ok"), ['I', "'LL", ' pay', ' ', '123', '45', ' $', ' now', '\r\n\r\n', ' ', ' ok']);
});

test('unsupported constructs throw RegexSyntaxError naming the construct', (t) => {
  const cases: Array<[string, RegExp]> = [
    ['[[:alpha:]]', /nested class or POSIX bracket/],
    ['\\bword', /the escape \\b/],
    ['(?x)a b', /inline flag \(\?x\)/],
    ['[a&&b]', /class intersection/],
    ['(?i:[a-z])', /letter inside a character class within \(\?i:/],
    ['\\p{NoSuchProperty}', /unknown Unicode property \\p\{NoSuchProperty\}/],
    ['(ab', /unbalanced \(/],
    ['ab)', /unbalanced \)/],
    ['*a', /quantifier \* with nothing before it/],
  ];
  for (const [pattern, message] of cases) {
    const error = t.throws(() => translateRegex(pattern, 'onig'), { instanceOf: RegexSyntaxError, message });
    t.is(error?.message.includes('\n'), false);
    t.is(error?.pattern, pattern);
  }
});
