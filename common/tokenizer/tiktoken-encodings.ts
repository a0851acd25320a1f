/**
 * tiktoken encodings: the mergeable ranks (token bytes → rank, which is also the id), the split
 * pattern and the special tokens. Ranks come from the `tiktoken` npm package's data files
 * (encoders/<name>.json: "! <first rank> <base64 token> ..."), or from a .tiktoken file
 * ("<base64 token> <rank>" per line) whose base name is a known encoding, which supplies the
 * pattern and special tokens (the package's registry.json).
 */
import { basename, dirname, join } from 'node:path';

import { ConfigError, FileError } from '../errors';
import { exists, readJson, readText } from './read-files';

export interface TiktokenEncoding {
  name: string;
  /** token bytes by rank; a hole (undefined) where a rank is unused */
  ranks: Array<Uint8Array | undefined>;
  pattern: string;
  specialTokens: Map<string, number>;
  source: string;
}

function packageDir(): string {
  // resolving the entry point loads nothing; the data files sit beside it
  return dirname(require.resolve('tiktoken'));
}

interface RegistryEntry {
  pat_str: string;
  special_tokens: Record<string, number>;
}

function registry(): Record<string, RegistryEntry> {
  return readJson(join(packageDir(), 'registry.json'), 'tiktoken registry') as Record<string, RegistryEntry>;
}

export function knownEncodings(): string[] {
  return Object.keys(registry());
}

/** Loads `vocabFile`: an encoding name (gpt2, r50k_base, cl100k_base, …) or a path to a .tiktoken file. */
export function loadTiktokenEncoding(vocabFile: string): TiktokenEncoding {
  const known = registry();
  if (Object.hasOwn(known, vocabFile)) {
    const file = join(packageDir(), 'encoders', `${vocabFile}.json`);
    const data = readJson(file, 'tiktoken encoder') as { bpe_ranks?: unknown; pat_str?: unknown; special_tokens?: unknown };
    if (typeof data.bpe_ranks !== 'string' || typeof data.pat_str !== 'string') {
      throw new FileError(file, `tiktoken encoder ${file} has no bpe_ranks/pat_str strings; reinstall the tiktoken package`);
    }
    const parts = data.bpe_ranks.split(' ');
    const offset = Number(parts[1]);
    if (parts[0] !== '!' || !Number.isInteger(offset)) {
      throw new FileError(file, `tiktoken encoder ${file}: bpe_ranks does not start with "! <rank>"; reinstall the tiktoken package`);
    }
    const ranks: Array<Uint8Array | undefined> = [];
    for (let k = 2; k < parts.length; k++) ranks[offset + k - 2] = Buffer.from(parts[k]!, 'base64');
    return { name: vocabFile, ranks, pattern: data.pat_str, specialTokens: toMap(data.special_tokens as Record<string, number>), source: file };
  }
  const name = basename(vocabFile).replace(/\.tiktoken$/, '');
  if (!exists(vocabFile)) {
    throw new ConfigError(`vocab_file ${JSON.stringify(vocabFile)} is neither a tiktoken encoding name (${Object.keys(known).join(', ')}) nor an existing .tiktoken file; set vocab_file to one of them`, 'vocab_file');
  }
  if (!Object.hasOwn(known, name)) {
    throw new ConfigError(`vocab_file ${vocabFile}: a .tiktoken file carries no split pattern or special tokens, so its name must be a known encoding (${Object.keys(known).join(', ')}); rename the file or use the encoding name`, 'vocab_file');
  }
  const ranks: Array<Uint8Array | undefined> = [];
  readText(vocabFile, '.tiktoken').split('\n').forEach((line, k) => {
    if (line.length === 0) return;
    const [token, rank, extra] = line.split(' ');
    const r = Number(rank);
    if (token === undefined || extra !== undefined || !Number.isInteger(r) || r < 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(token)) {
      throw new FileError(vocabFile, `.tiktoken ${vocabFile}: line ${k + 1} ${JSON.stringify(line.slice(0, 40))} is not "<base64 token> <rank>"; use an unmodified .tiktoken file`);
    }
    ranks[r] = Buffer.from(token, 'base64');
  });
  const entry = known[name]!;
  return { name, ranks, pattern: entry.pat_str, specialTokens: toMap(entry.special_tokens), source: vocabFile };
}

function toMap(record: Record<string, number>): Map<string, number> {
  return new Map(Object.entries(record ?? {}));
}
