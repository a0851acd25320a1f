/**
 * The YAML dialect of GPT-NeoX config files, read with the `yaml` package.
 *
 * The files are "JSON with comments": `#` comments, flow mappings `{ "key": value, }` with
 * trailing commas, and Python-style booleans. GPT-NeoX reads them with PyYAML (YAML 1.1). We
 * resolve plain scalars as PyYAML does, with three deliberate differences:
 *
 * - `1e-8`, `5e8`, `1.0e8` are numbers (PyYAML 1.1 needs a dot and a signed exponent, so it reads
 *   them as strings, which GPT-NeoX then rejects). `1.0e-8`, `0.0006`, `.5` and `1_000_000`
 *   read as in PyYAML.
 * - `None` is null, like `null`, `Null`, `NULL`, `~` and an empty value (PyYAML: the string
 *   "None", which then fails GPT-NeoX's type check for every non-string key).
 * - Timestamps and base-60 numbers (`2001-12-14`, `1:20`) stay strings.
 *
 * Booleans are YAML 1.1's: true/True/TRUE, false/False/FALSE, yes/no, on/off in the same three
 * spellings (not the single letters y/n). Integers: decimal, 0x hex, 0o or leading-zero octal,
 * 0b binary, underscores allowed.
 */
import { isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import type { ScalarTag, Tags } from 'yaml';

import { ConfigError } from '../errors';

const TRUE_WORDS = /^(?:[Tt]rue|TRUE|[Yy]es|YES|[Oo]n|ON)$/;

const nullScalar: ScalarTag = {
  tag: 'tag:yaml.org,2002:null',
  default: true,
  identify: (value) => value === null || value === undefined,
  test: /^(?:~|[Nn]ull|NULL|None)?$/,
  resolve: () => null,
};

const boolScalar: ScalarTag = {
  tag: 'tag:yaml.org,2002:bool',
  default: true,
  identify: (value) => typeof value === 'boolean',
  test: /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE|[Yy]es|YES|[Nn]o|NO|[Oo]n|ON|[Oo]ff|OFF)$/,
  resolve: (text) => TRUE_WORDS.test(text),
};

/** An integer scalar in the given radix; `prefixLength` characters after the sign are skipped. */
function integerScalar(test: RegExp, radix: number, prefixLength: number): ScalarTag {
  return {
    tag: 'tag:yaml.org,2002:int',
    default: true,
    identify: (value) => Number.isInteger(value),
    test,
    resolve(text) {
      const negative = text.startsWith('-');
      const unsigned = text.replace(/^[-+]/, '').slice(prefixLength).replace(/_/g, '');
      const magnitude = parseInt(unsigned, radix);
      return negative ? -magnitude : magnitude;
    },
  };
}

const floatScalar: ScalarTag = {
  tag: 'tag:yaml.org,2002:float',
  default: true,
  identify: (value) => typeof value === 'number',
  // 1.5, 1., .5, 1.0e-8, 1_000.5 (with a dot) and 1e-8, 5e8, 1E+3 (exponent only)
  test: /^[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*|[0-9][0-9_]*(?=[eE]))(?:[eE][-+]?[0-9]+)?$/,
  resolve: (text) => parseFloat(text.replace(/_/g, '')),
};

const specialFloatScalar: ScalarTag = {
  tag: 'tag:yaml.org,2002:float',
  default: true,
  identify: (value) => typeof value === 'number' && !Number.isFinite(value),
  test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  resolve: (text) => (text.toLowerCase().endsWith('nan') ? NaN : text.startsWith('-') ? -Infinity : Infinity),
};

const DIALECT_SCALARS: ScalarTag[] = [
  nullScalar,
  boolScalar,
  integerScalar(/^[-+]?0b[01_]+$/, 2, 2),
  integerScalar(/^[-+]?0o[0-7_]+$/, 8, 2),
  integerScalar(/^[-+]?0[0-7_]+$/, 8, 1),
  integerScalar(/^[-+]?0x[0-9a-fA-F_]+$/, 16, 2),
  integerScalar(/^[-+]?(?:0|[1-9][0-9_]*)$/, 10, 0),
  floatScalar,
  specialFloatScalar,
];

const COLLECTION_AND_STRING_TAGS = new Set(['tag:yaml.org,2002:map', 'tag:yaml.org,2002:seq', 'tag:yaml.org,2002:str']);

/** Keeps the schema's mapping, sequence and string tags and adds the dialect's scalars. */
function dialectTags(schemaTags: Tags): Tags {
  return [...schemaTags.filter((tag) => typeof tag === 'object' && COLLECTION_AND_STRING_TAGS.has(tag.tag)), ...DIALECT_SCALARS];
}

/** One top-level `key: value` of a file, in file order. */
export interface TopLevelEntry {
  /** The key exactly as written (dashes not yet normalized). */
  key: string;
  value: unknown;
  /** 1-based line of the key. */
  line: number;
}

function parseWithDialect(text: string, lineCounter: LineCounter) {
  return parseDocument(text, {
    schema: 'core',
    customTags: dialectTags,
    uniqueKeys: false, // duplicates are reported by the caller, with both spellings and lines
    lineCounter,
    prettyErrors: true,
  });
}

/** The first line of a yaml error message without its trailing " at line L, column C:". */
function reasonOf(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

/** In a JSON-like file, a key running on past its line almost always means a missing comma. */
function hintFor(code: string, line: number | undefined): string {
  return code === 'MULTILINE_IMPLICIT_KEY' && line !== undefined ? ` (is a comma missing at the end of line ${line}?)` : '';
}

/**
 * Parses one config file's text into its top-level entries. `label` names the file in messages.
 * Throws ConfigError with `label:line:col` on a syntax error or when the top level is not a
 * mapping. An empty file (or one with only comments) has no entries.
 */
export function parseConfigText(text: string, label: string, onWarning: (message: string) => void = () => {}): TopLevelEntry[] {
  const lineCounter = new LineCounter();
  const doc = parseWithDialect(text, lineCounter);
  const firstError = doc.errors[0];
  if (firstError) {
    const at = firstError.linePos?.[0];
    const where = at ? `${label}:${at.line}:${at.col}` : label;
    throw new ConfigError(`${where}: invalid YAML: ${reasonOf(firstError.message)}${hintFor(firstError.code, at?.line)}; correct the file at that position`);
  }
  for (const warning of doc.warnings) {
    const at = warning.linePos?.[0];
    onWarning(`${at ? `${label}:${at.line}:${at.col}` : label}: ${reasonOf(warning.message)}`);
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return [];
  if (!isMap(root)) {
    const found = isScalar(root) ? `the value ${JSON.stringify(root.value)}` : 'a list';
    throw new ConfigError(`${label}: the top level is ${found}, not a mapping; a config file holds key: value pairs, e.g. {"num_layers": 12}`);
  }
  return root.items.map((pair) => {
    const offset = isNode(pair.key) && pair.key.range ? pair.key.range[0] : 0;
    const line = lineCounter.linePos(offset).line;
    if (!isScalar(pair.key)) {
      throw new ConfigError(`${label}:${line}: a top-level key must be a plain name, not a collection; write "name": value`);
    }
    const key = pair.key.source ?? String(pair.key.value);
    const value = isNode(pair.value) ? pair.value.toJS(doc, { maxAliasCount: 100 }) : null;
    return { key, value, line };
  });
}

/**
 * Reads one value written in the dialect (a scalar or a flow collection), as `--set key=value`
 * does: "768" is a number, "true" a boolean, "[1, 2]" a list, "" null, "text" a string.
 */
export function parseValueText(text: string, label: string): unknown {
  const doc = parseWithDialect(text, new LineCounter());
  const firstError = doc.errors[0];
  if (firstError) {
    throw new ConfigError(`${label}: the value is not valid YAML (${reasonOf(firstError.message)}); quote strings and write lists as [a, b] and mappings as {k: v}`);
  }
  return doc.toJS({ maxAliasCount: 100 }) as unknown;
}
