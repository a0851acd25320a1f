/**
 * Deterministic varied text for the tokenizer tests and benchmark: English-like prose with
 * contractions, many scripts, emoji (ZWJ sequences, flags, skin tones, keycaps), combining marks
 * (decomposed forms that NFC changes), whitespace runs of every kind, numbers in several digit
 * systems, code, and optionally special-token strings inside the text.
 */

/** mulberry32: a small seeded PRNG, so every run sees the same text. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['th', 'e', 'an', 're', 'on', 'at', 'en', 'nd', 'ti', 'es', 'or', 'te', 'of', 'ed', 'is', 'it', 'al',
  'ar', 'st', 'to', 'nt', 'ng', 'se', 'ha', 'as', 'ou', 'io', 'le', 've', 'co', 'me', 'de', 'hi', 'ri', 'ro', 'ic',
  'ne', 'ea', 'ra', 'ce', 'li', 'ch', 'll', 'be', 'ma', 'si', 'om', 'ur', 'ca', 'el', 'ta', 'la', 'ns', 'di', 'fo'];
const COMMON = ['the', 'of', 'and', 'to', 'in', 'a', 'is', 'that', 'for', 'it', 'as', 'was', 'with', 'be', 'by',
  'on', 'not', 'he', 'I', 'this', 'are', 'or', 'his', 'from', 'at', 'which', 'but', 'have', 'an', 'had', 'they'];
const CONTRACTIONS = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'Ll", "'D", "’s"];
const SCRIPTS: Array<[number, number]> = [
  [0x0430, 0x044f], // Cyrillic lower
  [0x0410, 0x042f], // Cyrillic upper
  [0x03b1, 0x03c9], // Greek lower (includes final sigma)
  [0x0391, 0x03a9], // Greek upper
  [0x0627, 0x064a], // Arabic
  [0x05d0, 0x05ea], // Hebrew
  [0x0905, 0x0939], // Devanagari letters
  [0x0e01, 0x0e2e], // Thai
  [0x4e00, 0x4fff], // CJK ideographs
  [0x3041, 0x3096], // Hiragana
  [0x30a1, 0x30fa], // Katakana
  [0xac00, 0xadff], // Hangul syllables
  [0x10d0, 0x10fa], // Georgian
  [0x0531, 0x0556], // Armenian
];
const MARKS = ['\u0301', '\u0300', '\u0308', '\u0327', '\u0323', '\u030a', '\u093e', '\u093f', '\u0947', '\u094d'];
const EMOJI = ['😀', '🎉', '👍🏽', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇺🇸', '🇯🇵', '1️⃣', '❤️', '🧑🏿‍💻', '👩‍❤️‍💋‍👨', '🤖', '∑', '€', '™'];
const SPACES = [' ', '  ', '   ', '\t', '\n', '\n\n', '\r\n', ' \n ', '\u00a0', '\u3000', '\u2028', '\u0085', '\ufeff',
  '\u200b', '\u2009', '    ', '\t\t', ' \t', '\v', '\f'];
const CODE = [
  'function foo(x) {\n    return x * 2; // double\n}\n',
  'for (let i = 0; i < n; i++) { sum += a[i]; }',
  'def main():\n\tprint("hello, world")\n',
  '{"key": [1, 2.5, -3e10, null], "k2": "v"}',
  'if (a != b && c >= d) { x <<= 2; } else { y ||= z; }',
  '#include <stdio.h>\r\nint main(void) { return 0; }\r\n',
  '    ',
  'SELECT * FROM t WHERE id = 42;',
];
const NFC_CHANGES = ['e\u0301', 'A\u030a', 'n\u0303', 'Ångström', 'A\u030angstro\u0308m', '\u1100\u1161', 'ﬁ', '①', 'Ⅻ', 'ｶ'];

export interface CorpusOptions {
  /** Strings to sprinkle into the text (special tokens). */
  specials?: string[];
  seed?: number;
}

/** One document of about `chars` UTF-16 units. */
export function makeDocument(chars: number, options: CorpusOptions = {}): string {
  const random = rng(options.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const parts: string[] = [];
  let length = 0;
  const push = (s: string): void => {
    parts.push(s);
    length += s.length;
  };
  while (length < chars) {
    const r = random();
    if (r < 0.55) {
      // English-like word, sometimes capitalised, with punctuation or a contraction.
      let w = random() < 0.5 ? pick(COMMON) : Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(SYLLABLES)).join('');
      if (random() < 0.15) w = w[0]!.toUpperCase() + w.slice(1);
      if (random() < 0.02) w = w.toUpperCase();
      if (random() < 0.05) w += pick(CONTRACTIONS);
      push(w);
      const p = random();
      if (p < 0.08) push(',');
      else if (p < 0.12) push('.');
      else if (p < 0.13) push('?!');
      else if (p < 0.14) push(' — ');
      push(random() < 0.97 ? ' ' : pick(SPACES));
    } else if (r < 0.7) {
      const [lo, hi] = pick(SCRIPTS);
      const n = 1 + Math.floor(random() * 8);
      let w = '';
      for (let i = 0; i < n; i++) w += String.fromCodePoint(lo + Math.floor(random() * (hi - lo + 1)));
      if (lo === 0x03b1 && random() < 0.3) w += 'ς';
      if (lo === 0x0391 && random() < 0.3) w += 'Σ';
      push(w);
      push(random() < 0.8 ? ' ' : pick(SPACES));
    } else if (r < 0.76) {
      push(pick(EMOJI));
      if (random() < 0.5) push(' ');
    } else if (r < 0.8) {
      push(pick(SPACES));
    } else if (r < 0.86) {
      const k = random();
      if (k < 0.4) push(String(Math.floor(random() * 10 ** (1 + Math.floor(random() * 10)))));
      else if (k < 0.6) push(`${Math.floor(random() * 1000)}.${Math.floor(random() * 100000)}`);
      else if (k < 0.75) push('1,000,000');
      else if (k < 0.87) push('٣٤٥٦');
      else push('１２３');
      push(' ');
    } else if (r < 0.9) {
      push(pick(CODE));
    } else if (r < 0.95) {
      let w = pick(NFC_CHANGES);
      if (random() < 0.3) w += pick(MARKS) + pick(MARKS);
      push(w + ' ');
    } else if (r < 0.97 && options.specials && options.specials.length > 0) {
      const s = pick(options.specials);
      const before = random() < 0.5 ? ' ' : '';
      const after = random() < 0.5 ? ' ' : random() < 0.5 ? '\n' : '';
      push(before + s + after);
    } else {
      push(pick(["'s", "'", "''", "don't", "I'M", "we'Re", ' ', '!!!', '...', '???', '«»', '“quoted”', '(x)', '[y]']));
    }
  }
  return parts.join('');
}

/** The fixed list of edge cases every tokenizer test runs, plus `count` generated documents. */
export function edgeCases(specials: string[] = []): string[] {
  const cases = [
    '',
    ' ',
    '  ',
    '\n',
    '\r\n',
    'a',
    'Hello world',
    ' Hello world',
    'Hello  world',
    'Hello   \n\n  world  ',
    "I'm here, you're there; it's 'quoted' and DON'T SHOUT'S",
    'tabs\tand\t\tmore\ttabs\t',
    'line1\r\nline2\r\n\r\nline3\n',
    'trailing spaces   ',
    '   leading spaces',
    '12345678901234567890 3.14159 -42 1e10 0x1F',
    'Привет, мир! Γειά σου Κόσμε. ΣΟΦΟΣ σοφός',
    'مرحبا بالعالم שלום עולם नमस्ते दुनिया สวัสดีชาวโลก',
    '你好，世界！こんにちは世界 안녕하세요 세계',
    '😀👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🇺🇸🇯🇵 1️⃣ ❤️',
    'e\u0301 A\u030angstro\u0308m café cafe\u0301 Z̷̢͈͇a̸͓l̶g̵o̴',
    '\u00a0nbsp\u3000ideographic\u2028ls\u0085nel\ufeffbom\u200bzwsp',
    'function foo(x) {\n    return x * 2;\n}\n',
    'a'.repeat(3000),
    'xyz'.repeat(700) + ' ' + 'Ω'.repeat(400),
    '\u{1F600}'.repeat(100),
    'ﬁ ① Ⅻ ｶ ＡＢＣ ｡',
    "'s 's 'S 'ſ ſt",
    'mixed123abc456 ab12cd 1a2b3c',
    '!!!???...,,,;;;',
    '\t\n \t\n',
    'new in Unicode 17: \u088f\u0c5c x\u{323b0}\u{323b1} a\u{11de0}1 \u{1fa8a}!',
  ];
  for (const s of specials) {
    cases.push(s, `${s}`, `a${s}b`, ` ${s} `, `x  ${s}  y`, `${s}${s}`, `Hello${s}\n world ${s}end`, `  ${s}`);
  }
  return cases;
}
