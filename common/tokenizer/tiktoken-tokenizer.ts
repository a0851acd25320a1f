/**
 * TiktokenTokenizer as GPT-NeoX uses it: tiktoken.get_encoding(vocab_file); encode(text) with
 * tiktoken's defaults, which refuse text containing a special token; decode with errors="strict";
 * eod = the <|endoftext|> id (eot_token); vocabSize = n_vocab (largest id + 1).
 *
 * The ranks become a byte-level BPE: every token that splits into two tokens gives the merge
 * (left, right) → itself with its own rank, which is exactly tiktoken's rule of merging the
 * adjacent pair whose concatenation has the lowest rank; a piece that is itself a token is taken
 * whole (tiktoken's lookup before merging = ignore_merges).
 */
import { BYTE_TO_CHAR, CHAR_CODE_TO_BYTE } from './byte-level';
import { BpeModel } from './bpe-model';
import { TokenizerInputError } from './errors';
import { PairTable } from './pair-table';
import { compilePattern } from './patterns';
import { ByteLevelPreTokenizer } from './pre-tokenizers';
import { escapeLiteral } from './regex-translate';
import { loadTiktokenEncoding, type TiktokenEncoding } from './tiktoken-encodings';
import type { Tokenizer } from './tokenizer';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class TiktokenTokenizer implements Tokenizer {
  readonly type = 'TiktokenTokenizer';
  readonly vocabSize: number;
  private readonly eodId: number | undefined;
  private readonly encoding: TiktokenEncoding;
  private readonly model: BpeModel;
  private readonly preTokenizer: ByteLevelPreTokenizer;
  private readonly specialPattern: RegExp | null;
  private readonly specialById = new Map<number, string>();

  constructor(vocabFile: string) {
    const encoding = loadTiktokenEncoding(vocabFile);
    this.encoding = encoding;
    const vocab = new Map<string, number>();
    const texts: Array<string | undefined> = [];
    encoding.ranks.forEach((bytes, rank) => {
      if (bytes === undefined) return;
      let text = '';
      for (const b of bytes) text += BYTE_TO_CHAR[b];
      texts[rank] = text;
      vocab.set(text, rank);
    });
    const table = new PairTable(vocab.size * 4);
    texts.forEach((text, rank) => {
      if (text === undefined) return;
      for (let k = 1; k < text.length; k++) {
        const left = vocab.get(text.slice(0, k));
        if (left === undefined) continue;
        const right = vocab.get(text.slice(k));
        if (right !== undefined) table.set(left, right, rank, rank);
      }
    });
    this.model = new BpeModel({
      vocab,
      merges: table,
      unkToken: null,
      fuseUnk: false,
      byteFallback: false,
      ignoreMerges: true,
      continuingSubwordPrefix: null,
      endOfWordSuffix: null,
      byteLevel: true,
      source: encoding.source,
    });
    this.preTokenizer = new ByteLevelPreTokenizer(false, compilePattern(encoding.pattern, 'fancy', encoding.source, 'pat_str'), false);
    let maxId = texts.length - 1;
    for (const [content, id] of encoding.specialTokens) {
      this.specialById.set(id, content);
      maxId = Math.max(maxId, id);
    }
    this.vocabSize = maxId + 1;
    const specials = [...encoding.specialTokens.keys()].sort((a, b) => b.length - a.length);
    this.specialPattern = specials.length === 0 ? null : new RegExp(specials.map((s) => escapeLiteral(s)).join('|'), 'u');
    this.eodId = encoding.specialTokens.get('<|endoftext|>');
  }

  get eod(): number {
    if (this.eodId === undefined) {
      throw new TokenizerInputError(`TiktokenTokenizer (${this.encoding.name}) has no <|endoftext|> special token, so no end-of-document id; use an encoding that has one`);
    }
    return this.eodId;
  }

  encode(text: string): number[] {
    const special = this.specialPattern?.exec(text);
    if (special) {
      throw new TokenizerInputError(`TiktokenTokenizer (${this.encoding.name}): the text contains the special token ${JSON.stringify(special[0])} at offset ${special.index}, which tiktoken's encode refuses (as GPT-NeoX calls it); remove it from the text`);
    }
    const ids: number[] = [];
    this.preTokenizer.split(text, true, (piece) => this.model.encodeWord(piece, ids));
    return ids;
  }

  decode(ids: ArrayLike<number>): string {
    const bytes: number[] = [];
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!;
      const token = this.model.idToToken(id);
      if (token !== undefined) {
        for (let c = 0; c < token.length; c++) bytes.push(CHAR_CODE_TO_BYTE[token.charCodeAt(c)]!);
        continue;
      }
      const special = this.specialById.get(id);
      if (special === undefined) throw new TokenizerInputError(`TiktokenTokenizer (${this.encoding.name}): id ${id} is not in the encoding (n_vocab ${this.vocabSize}); decode only ids it produced`);
      bytes.push(...Buffer.from(special, 'utf8'));
    }
    try {
      return strictUtf8.decode(Uint8Array.from(bytes));
    } catch {
      throw new TokenizerInputError(`TiktokenTokenizer (${this.encoding.name}): the ids decode to invalid UTF-8, which tiktoken's strict decode (as GPT-NeoX calls it) refuses; decode whole tokens sequences, not partial ones`);
    }
  }

  tokenToId(token: string): number | undefined {
    return this.encoding.specialTokens.get(token) ?? this.model.vocab.get(token);
  }

  /** Ordinary tokens are written in GPT-2's byte-level alphabet; special tokens as themselves. */
  idToToken(id: number): string | undefined {
    return this.model.idToToken(id) ?? this.specialById.get(id);
  }
}
