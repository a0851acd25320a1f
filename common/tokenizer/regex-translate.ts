/**
 * Translates the regular expressions tokenizers ship (Oniguruma syntax in Hugging Face
 * `tokenizers`, fancy-regex in tiktoken) into JavaScript RegExp source for the `v` flag
 * (TRANSLATED_FLAGS), keeping what they match:
 * - `\s`/`\S` are the Unicode White_Space property (JS `\s` also matches U+FEFF and misses U+0085);
 * - `\d` is `\p{Nd}`, `\w` is Unicode word characters (JS's are ASCII);
 * - `(?i:...)` becomes explicit case classes (Node 20 has no inline modifiers), `'s` → `'[sSſ]`;
 * - possessive quantifiers and atomic groups become `(?=(?<n>X))\k<n>`;
 * - `.` excludes only `\n`; `^`/`$` are line anchors in Oniguruma, text anchors in fancy-regex;
 * - `\x{...}`, `\p{Script}`, lone `{`/`}`/`]` and needless escapes are rewritten for JS;
 * - `\p{...}` keeps the references' Unicode version (unicode-versions.ts).
 * Anything else unusual (POSIX brackets, nested classes, `\b`, `\G`, `\K`, inline flags other
 * than `(?i:`) raises RegexSyntaxError naming the construct.
 */
import { RegexSyntaxError } from './errors';
import { pinnedProperty } from './unicode-versions';

export type RegexFlavor = 'onig' | 'fancy';

/** The RegExp flag translated patterns need (besides g/y): class set operations. */
export const TRANSLATED_FLAGS = 'v';

const WS = '\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const NON_WS =
  '\\x00-\\x08\\x0e-\\x1f\\x21-\\x84\\x86-\\x9f\\xa1-\\u167f\\u1681-\\u1fff\\u200b-\\u2027\\u202a-\\u202e' +
  '\\u2030-\\u205e\\u2060-\\u2fff\\u3001-\\u{10ffff}';
const WORD_PROPERTIES = ['Alphabetic', 'M', 'Nd', 'Pc', 'Join_Control'];
/** Characters that take a backslash outside a class (`u` and `v` modes). */
const SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));
/** Characters that take a backslash inside a `v`-mode class (syntax and reserved punctuators). */
const CLASS_SYNTAX = new Set('^$\\.*+?()[]{}|/-&!#%,:;<=>@`~'.split(''));

/** JS source of `\s` (White_Space) for use outside a character class. */
export const WHITESPACE_CLASS = `[${WS}]`;

let foldIndex: Map<string, string[]> | null = null;
const foldKey = (s: string): string => s.toLowerCase().toUpperCase().toLowerCase();

/** Every character a case-insensitive match of `ch` accepts (JS simple case folding). */
function caseVariants(ch: string): string[] {
  if (foldIndex === null) {
    foldIndex = new Map();
    for (let cp = 0; cp < 0x20000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const s = String.fromCodePoint(cp);
      const key = foldKey(s);
      const list = foldIndex.get(key);
      if (list) list.push(s);
      else foldIndex.set(key, [s]);
    }
  }
  const test = new RegExp(`^${escapeLiteral(ch)}$`, 'iu');
  const out = (foldIndex.get(foldKey(ch)) ?? []).filter((x) => x.length <= 2 && test.test(x));
  if (!out.includes(ch)) out.unshift(ch);
  return out;
}

/** A literal string as RegExp source (`u` or `v` mode; inside a `v`-mode class when `inClass`). */
export function escapeLiteral(text: string, inClass = false): string {
  let out = '';
  for (const ch of text) out += (inClass ? CLASS_SYNTAX : SYNTAX).has(ch) ? `\\${ch}` : ch;
  return out;
}

/** Unicode word characters (Rust regex / Oniguruma `\w`), as class-body source. */
function wordClassBody(): string {
  return WORD_PROPERTIES.map((p) => pinnedProperty(p, false)).join('');
}

function propertyEscape(pattern: string, body: string, negated: boolean): string {
  let name = body;
  if (name.startsWith('^')) {
    name = name.slice(1);
    negated = !negated;
  }
  for (const candidate of [name, `Script=${name}`]) {
    try {
      new RegExp(`\\p{${candidate}}`, 'u');
      return pinnedProperty(candidate, negated);
    } catch {
      // try the next spelling
    }
  }
  throw new RegexSyntaxError(pattern, `regex ${JSON.stringify(pattern)}: unknown Unicode property \\p{${body}}; use a General_Category, binary property or script name`);
}

interface Group {
  outStart: number;
  close: string;
  caseInsensitive: boolean;
}

/** Translates `pattern` (see the file comment); the result compiles with TRANSLATED_FLAGS plus g/y. */
export function translateRegex(pattern: string, flavor: RegexFlavor): string {
  const fail = (what: string): never => {
    throw new RegexSyntaxError(pattern, `regex ${JSON.stringify(pattern)}: ${what} is not supported by neox's tokenizer; rewrite the pattern without it`);
  };
  let out = '';
  let i = 0;
  let atomStart = -1;
  let names = 0;
  const groups: Group[] = [];
  const ci = (): boolean => groups.length > 0 && groups[groups.length - 1]!.caseInsensitive;
  const n = pattern.length;

  const readBraced = (from: number): [string, number] => {
    const close = pattern.indexOf('}', from);
    if (pattern[from] !== '{' || close < 0) fail(`an escape without its {...} at offset ${from}`);
    return [pattern.slice(from + 1, close), close + 1];
  };

  /** An escape at pattern[i] == '\\'; returns [source, next index]. */
  const escape = (inClass: boolean): [string, number] => {
    const c = pattern[i + 1];
    if (c === undefined) return fail('a trailing backslash');
    switch (c) {
      case 's': return [inClass ? WS : `[${WS}]`, i + 2];
      case 'S': return [inClass ? NON_WS : `[${NON_WS}]`, i + 2];
      case 'd': return [pinnedProperty('Nd', false), i + 2];
      case 'D': return [pinnedProperty('Nd', true), i + 2];
      case 'w': return [inClass ? wordClassBody() : `[${wordClassBody()}]`, i + 2];
      case 'W': return inClass ? fail('\\W inside a character class') : [`[^${wordClassBody()}]`, i + 2];
      case 'p':
      case 'P': {
        if (ci() && !inClass) fail('\\p{...} inside (?i:...)');
        const [body, next] = readBraced(i + 2);
        return [propertyEscape(pattern, body, c === 'P'), next];
      }
      case 'x': {
        if (pattern[i + 2] === '{') {
          const [hex, next] = readBraced(i + 2);
          if (!/^[0-9a-fA-F]{1,6}$/.test(hex)) fail(`\\x{${hex}}`);
          return [`\\u{${hex}}`, next];
        }
        const hex = pattern.slice(i + 2, i + 4);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) fail(`\\x${hex}`);
        return [`\\x${hex}`, i + 4];
      }
      case 'u': {
        const hex = pattern.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(`\\u${hex}`);
        return [`\\u${hex}`, i + 6];
      }
      case 't': case 'n': case 'r': case 'f': case 'v':
        return [`\\${c}`, i + 2];
      case 'e': return ['\\x1b', i + 2];
      case 'a': return ['\\x07', i + 2];
      case '0': return ['\\x00', i + 2];
      case 'A': return inClass ? fail('\\A in a class') : ['(?<![\\s\\S])', i + 2];
      case 'z': return inClass ? fail('\\z in a class') : ['(?![\\s\\S])', i + 2];
      case 'Z': return inClass ? fail('\\Z in a class') : ['(?=\\n?(?![\\s\\S]))', i + 2];
      default:
        if (/[0-9A-Za-z]/.test(c)) return fail(`the escape \\${c}`);
        if (ci() && !inClass) return [literal(c), i + 2];
        return [(inClass ? CLASS_SYNTAX : SYNTAX).has(c) ? `\\${c}` : c, i + 2];
    }
  };

  const literal = (ch: string): string => {
    if (ci() && ch.toLowerCase() !== ch.toUpperCase()) {
      const variants = caseVariants(ch);
      return variants.length === 1 ? escapeLiteral(ch) : `[${variants.map((v) => escapeLiteral(v, true)).join('')}]`;
    }
    return escapeLiteral(ch);
  };

  const klass = (): void => {
    // pattern[i] === '['
    let src = '[';
    i++;
    if (pattern[i] === '^') {
      src += '^';
      i++;
    }
    let previousIsChar = false;
    if (pattern[i] === ']') {
      src += '\\]';
      i++;
      previousIsChar = true;
    }
    for (;;) {
      const c = pattern[i];
      if (c === undefined) fail('an unterminated character class');
      if (c === ']') break;
      if (c === '[') fail('a nested class or POSIX bracket ([[:alpha:]]) inside a character class');
      if (c === '&' && pattern[i + 1] === '&') fail('class intersection (&&)');
      if (ci() && /\p{L}/u.test(c!)) fail('a letter inside a character class within (?i:...)');
      if (c === '\\') {
        const [s, next] = escape(true);
        src += s;
        previousIsChar = !/^\\[pPsSdDwW]/.test(pattern.slice(i, i + 2));
        i = next;
        continue;
      }
      const ch = String.fromCodePoint(pattern.codePointAt(i)!);
      // '-' between two characters is a range; anywhere else it is literal
      const range: boolean = ch === '-' && previousIsChar && pattern[i + 1] !== ']' && pattern[i + 1] !== undefined;
      src += range ? '-' : escapeLiteral(ch, true);
      previousIsChar = !range;
      i += ch.length;
    }
    i++;
    out += `${src}]`;
  };

  while (i < n) {
    const c = pattern[i]!;
    const start = out.length;
    if (c === '\\') {
      const [s, next] = escape(false);
      out += s;
      i = next;
      atomStart = start;
    } else if (c === '[') {
      klass();
      atomStart = start;
    } else if (c === '(') {
      let close = ')';
      let caseInsensitive = ci();
      if (pattern.startsWith('(?#', i)) {
        const end = pattern.indexOf(')', i);
        if (end < 0) fail('an unterminated comment');
        i = end + 1;
        continue;
      } else if (pattern.startsWith('(?:', i) || pattern.startsWith('(?=', i) || pattern.startsWith('(?!', i)) {
        out += pattern.slice(i, i + 3);
        i += 3;
      } else if (pattern.startsWith('(?<=', i) || pattern.startsWith('(?<!', i)) {
        out += pattern.slice(i, i + 4);
        i += 4;
      } else if (pattern.startsWith('(?>', i)) {
        const name = `neoxAtomic${names++}`;
        out += `(?=(?<${name}>`;
        close = `))\\k<${name}>`;
        i += 3;
      } else if (pattern.startsWith('(?i:', i)) {
        out += '(?:';
        caseInsensitive = true;
        i += 4;
      } else if (pattern.startsWith('(?-i:', i)) {
        out += '(?:';
        caseInsensitive = false;
        i += 5;
      } else if (pattern.startsWith('(?P<', i) || (pattern.startsWith('(?<', i) && /[A-Za-z_]/.test(pattern[i + 3] ?? ''))) {
        const nameStart = pattern.indexOf('<', i) + 1;
        const nameEnd = pattern.indexOf('>', nameStart);
        if (nameEnd < 0) fail('an unterminated group name');
        out += `(?<${pattern.slice(nameStart, nameEnd)}>`;
        i = nameEnd + 1;
      } else if (pattern[i + 1] === '?') {
        fail(`the group or inline flag ${pattern.slice(i, i + 4)}...`);
      } else {
        out += '(';
        i += 1;
      }
      groups.push({ outStart: start, close, caseInsensitive });
      continue;
    } else if (c === ')') {
      const group = groups.pop();
      if (!group) fail('an unbalanced )');
      out += group!.close;
      i++;
      atomStart = group!.outStart;
    } else if (c === '*' || c === '+' || c === '?' || (c === '{' && /^\{\d*(,\d*)?\}/.test(pattern.slice(i)) && pattern[i + 1] !== '}')) {
      let q = c;
      let j = i + 1;
      if (c === '{') {
        const close = pattern.indexOf('}', i);
        let body = pattern.slice(i + 1, close);
        if (body.startsWith(',')) body = `0${body}`;
        q = `{${body}}`;
        j = close + 1;
      }
      if (atomStart < 0) fail(`a quantifier ${q} with nothing before it`);
      if (pattern[j] === '?') {
        out += `${q}?`;
        j++;
      } else if (pattern[j] === '+') {
        const name = `neoxPossessive${names++}`;
        out = `${out.slice(0, atomStart)}(?=(?<${name}>${out.slice(atomStart)}${q}))\\k<${name}>`;
        j++;
      } else {
        out += q;
      }
      i = j;
      atomStart = -1;
      continue;
    } else if (c === '.') {
      out += '[^\\n]';
      i++;
      atomStart = start;
    } else if (c === '^') {
      out += flavor === 'onig' ? '(?<![^\\n])' : '(?<![\\s\\S])';
      i++;
      atomStart = -1;
    } else if (c === '$') {
      out += flavor === 'onig' ? '(?![^\\n])' : '(?![\\s\\S])';
      i++;
      atomStart = -1;
    } else if (c === '|') {
      out += '|';
      i++;
      atomStart = -1;
    } else {
      const ch = String.fromCodePoint(pattern.codePointAt(i)!);
      out += literal(ch);
      i += ch.length;
      atomStart = start;
    }
  }
  if (groups.length > 0) fail('an unbalanced (');
  try {
    new RegExp(out, TRANSLATED_FLAGS);
  } catch (error) {
    fail(`a construct JavaScript rejects (${(error as Error).message})`);
  }
  return out;
}
