/**
 * A BPE model with Hugging Face `tokenizers` semantics: a word's characters (or, for byte-level
 * models, its UTF-8 bytes in GPT-2's alphabet) become vocabulary ids, unknown ones go through
 * byte_fallback (`<0xHH>` tokens) or the unk token (fused when fuse_unk), optional
 * continuing_subword_prefix / end_of_word_suffix are applied, `ignore_merges` takes a whole word
 * found in the vocabulary as is, and the merge loop (bpe-merge.ts) does the rest. Results are
 * cached per word (bounded), which is what makes encoding fast.
 */
import { BYTE_TO_CHAR, utf8Bytes } from './byte-level';
import { mergeSymbols } from './bpe-merge';
import { PairTable } from './pair-table';
import { FileError } from '../errors';
import { TokenizerInputError } from './errors';

export interface BpeConfig {
  vocab: Map<string, number>;
  /** Merges in rank order, or a ready table (tiktoken ranks). */
  merges: Array<[string, string]> | PairTable;
  unkToken: string | null;
  fuseUnk: boolean;
  byteFallback: boolean;
  ignoreMerges: boolean;
  continuingSubwordPrefix: string | null;
  endOfWordSuffix: string | null;
  /** Words arrive as raw text; their symbols are their UTF-8 bytes written in GPT-2's alphabet. */
  byteLevel: boolean;
  /** The file the model came from, named in errors. */
  source: string;
}

const CACHE_LIMIT = 200_000;

/** The byte_fallback token of a byte: <0x0A>. */
const byteToken = (b: number): string => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
const CACHE_WORD_LIMIT = 256;

export class BpeModel {
  readonly vocab: Map<string, number>;
  readonly table: PairTable;
  private readonly idToTokenTable: Array<string | undefined>;
  private readonly config: BpeConfig;
  /** vocabulary id of each byte's stand-in character, when every byte has one (fast path). */
  private readonly byteIds: Int32Array | null;
  private readonly cache = new Map<string, number | Int32Array>();
  /** vocabulary id of each single character seen so far (-1: not in the vocabulary). */
  private readonly charIds = new Map<number, number>();
  /** byte_fallback ids of each missing character seen so far (null: some <0xHH> is missing too). */
  private readonly fallbackIds = new Map<number, Int32Array | null>();
  private symbols = new Int32Array(256);
  private readonly scratch = { buf: new Uint8Array(1024) };

  constructor(config: BpeConfig) {
    this.config = config;
    this.vocab = config.vocab;
    this.idToTokenTable = [];
    for (const [token, id] of config.vocab) this.idToTokenTable[id] = token;
    this.table = config.merges instanceof PairTable ? config.merges : this.buildTable(config.merges);
    let byteIds: Int32Array | null = null;
    if (config.byteLevel && config.continuingSubwordPrefix === null && config.endOfWordSuffix === null) {
      byteIds = new Int32Array(256);
      for (let b = 0; b < 256; b++) {
        const id = config.vocab.get(BYTE_TO_CHAR[b]!);
        if (id === undefined) {
          byteIds = null;
          break;
        }
        byteIds[b] = id;
      }
    }
    this.byteIds = byteIds;
  }

  private buildTable(merges: Array<[string, string]>): PairTable {
    const { vocab, source } = this.config;
    const prefixLength = this.config.continuingSubwordPrefix?.length ?? 0;
    const table = new PairTable(merges.length);
    merges.forEach(([a, b], rank) => {
      const left = vocab.get(a);
      const right = vocab.get(b);
      const merged = vocab.get(a + b.slice(prefixLength));
      const missing = left === undefined ? a : right === undefined ? b : merged === undefined ? a + b.slice(prefixLength) : null;
      if (missing !== null) {
        throw new FileError(source, `${source}: merge #${rank} ${JSON.stringify(`${a} ${b}`)} uses ${JSON.stringify(missing)}, which is not in the vocabulary; use the merges that were trained with this vocabulary`);
      }
      table.set(left!, right!, rank, merged!);
    });
    return table;
  }

  get vocabSize(): number {
    return this.vocab.size;
  }

  idToToken(id: number): string | undefined {
    return this.idToTokenTable[id];
  }

  /** Appends the ids of one pre-tokenized word to `out`. */
  encodeWord(word: string, out: number[]): void {
    const hit = this.cache.get(word);
    if (hit !== undefined) {
      if (typeof hit === 'number') out.push(hit);
      else for (let k = 0; k < hit.length; k++) out.push(hit[k]!);
      return;
    }
    if (word.length === 0) return;
    const length = this.wordIds(word);
    const sym = this.symbols;
    for (let k = 0; k < length; k++) out.push(sym[k]!);
    if (word.length <= CACHE_WORD_LIMIT) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(word, length === 1 ? sym[0]! : sym.slice(0, length));
    }
  }

  /** Fills this.symbols with the ids of `word`; returns how many. */
  private wordIds(word: string): number {
    const config = this.config;
    if (config.byteLevel) {
      const n = utf8Bytes(word, this.scratch);
      const bytes = this.scratch.buf;
      if (config.ignoreMerges) {
        let mapped = '';
        for (let k = 0; k < n; k++) mapped += BYTE_TO_CHAR[bytes[k]!];
        const id = this.vocab.get(mapped);
        if (id !== undefined) {
          this.symbols[0] = id;
          return 1;
        }
      }
      if (this.symbols.length < n) this.symbols = new Int32Array(n * 2);
      const byteIds = this.byteIds;
      if (byteIds !== null) {
        const sym = this.symbols;
        for (let k = 0; k < n; k++) sym[k] = byteIds[bytes[k]!]!;
        return mergeSymbols(this.table, sym, n);
      }
      const units: string[] = [];
      for (let k = 0; k < n; k++) units.push(BYTE_TO_CHAR[bytes[k]!]!);
      return this.symbolize(units);
    }
    if (config.ignoreMerges) {
      const id = this.vocab.get(word);
      if (id !== undefined) {
        this.symbols[0] = id;
        return 1;
      }
    }
    if (config.continuingSubwordPrefix === null && config.endOfWordSuffix === null) {
      const n = this.charSymbols(word); // may grow this.symbols, so read it afterwards
      return mergeSymbols(this.table, this.symbols, n);
    }
    return this.symbolize(Array.from(word));
  }

  /**
   * merge_word without prefix/suffix, one code point at a time with per-character caches: the
   * vocabulary id, else the <0xHH> ids (byte_fallback), else the unk token (fused when fuse_unk).
   */
  private charSymbols(word: string): number {
    if (this.symbols.length < word.length * 4) this.symbols = new Int32Array(word.length * 8);
    const sym = this.symbols;
    const { byteFallback, unkToken, fuseUnk } = this.config;
    const charIds = this.charIds;
    let n = 0;
    let pendingUnk = false;
    for (let i = 0; i < word.length; ) {
      const c = word.charCodeAt(i);
      const width = c >= 0xd800 && c <= 0xdbff && i + 1 < word.length ? 2 : 1;
      const cp = width === 2 ? word.codePointAt(i)! : c;
      let id = charIds.get(cp);
      if (id === undefined) {
        id = this.vocab.get(word.slice(i, i + width)) ?? -1;
        charIds.set(cp, id);
      }
      if (id >= 0) {
        if (pendingUnk) {
          sym[n++] = this.unkId();
          pendingUnk = false;
        }
        sym[n++] = id;
      } else {
        const fallback = byteFallback ? this.byteFallbackIds(cp, word.slice(i, i + width)) : null;
        if (fallback !== null) {
          for (let k = 0; k < fallback.length; k++) sym[n++] = fallback[k]!;
        } else if (unkToken !== null) {
          if (pendingUnk && !fuseUnk) sym[n++] = this.unkId();
          pendingUnk = true;
        }
      }
      i += width;
    }
    if (pendingUnk) sym[n++] = this.unkId();
    return n;
  }

  private byteFallbackIds(cp: number, ch: string): Int32Array | null {
    let ids = this.fallbackIds.get(cp);
    if (ids === undefined) {
      const n = utf8Bytes(ch, this.scratch);
      ids = new Int32Array(n);
      for (let b = 0; b < n && ids !== null; b++) {
        const id = this.vocab.get(byteToken(this.scratch.buf[b]!));
        if (id === undefined) ids = null;
        else ids[b] = id;
      }
      this.fallbackIds.set(cp, ids);
    }
    return ids;
  }

  private unkId(): number {
    const id = this.vocab.get(this.config.unkToken!);
    if (id === undefined) {
      throw new TokenizerInputError(`${this.config.source}: the unk_token ${JSON.stringify(this.config.unkToken)} is not in the vocabulary, so unknown characters cannot be encoded; add it to model.vocab`);
    }
    return id;
  }

  /** Hugging Face's merge_word: vocabulary lookups with prefix/suffix, byte fallback, unk. */
  private symbolize(units: string[]): number {
    const { continuingSubwordPrefix: prefix, endOfWordSuffix: suffix, byteFallback, unkToken, fuseUnk } = this.config;
    const ids: number[] = [];
    let pendingUnk = false;
    const unkId = (): number => this.unkId();
    for (let k = 0; k < units.length; k++) {
      let s = units[k]!;
      if (k > 0 && prefix !== null) s = prefix + s;
      if (k === units.length - 1 && suffix !== null) s += suffix;
      const id = this.vocab.get(s);
      if (id !== undefined) {
        if (pendingUnk) {
          ids.push(unkId());
          pendingUnk = false;
        }
        ids.push(id);
        continue;
      }
      if (byteFallback) {
        const n = utf8Bytes(s, this.scratch);
        const byteTokens: number[] = [];
        for (let b = 0; b < n; b++) {
          const byteId = this.vocab.get(byteToken(this.scratch.buf[b]!));
          if (byteId === undefined) break;
          byteTokens.push(byteId);
        }
        if (byteTokens.length === n) {
          ids.push(...byteTokens);
          continue;
        }
      }
      if (unkToken !== null) {
        if (pendingUnk && !fuseUnk) ids.push(unkId());
        pendingUnk = true;
      }
    }
    if (pendingUnk) ids.push(unkId());
    if (this.symbols.length < ids.length) this.symbols = new Int32Array(ids.length * 2);
    this.symbols.set(ids);
    return mergeSymbols(this.table, this.symbols, ids.length);
  }
}
