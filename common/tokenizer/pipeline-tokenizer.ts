/**
 * A tokenizer assembled from Hugging Face's stages: added tokens → normalizer → added
 * (normalized) tokens → pre-tokenizer → BPE model → post-processor; decoding maps ids to token
 * strings (skipping special tokens when asked) and runs the decoder chain.
 */
import type { AddedVocabulary } from './added-vocabulary';
import type { BpeModel } from './bpe-model';
import type { Decoder } from './decoders';
import type { Normalizer } from './normalizers';
import type { PostProcessor } from './post-processors';
import type { Emit, PreTokenizer } from './pre-tokenizers';
import type { Tokenizer } from './tokenizer';

export interface PipelineParts {
  type: string;
  model: BpeModel;
  added: AddedVocabulary;
  normalizer: Normalizer | null;
  preTokenizer: PreTokenizer;
  postProcessor: PostProcessor | null;
  decoder: Decoder | null;
  /** Hugging Face `Tokenizer.decode` skips special tokens by default; transformers' decode does not. */
  skipSpecialOnDecode: boolean;
  /** The end-of-document id, or a function that throws the reason there is none. */
  eod: number | (() => number);
}

export class PipelineTokenizer implements Tokenizer {
  readonly type: string;
  readonly vocabSize: number;
  private readonly parts: PipelineParts;
  private out: number[] = [];
  private readonly emitWord: Emit;
  private readonly pushId: (id: number) => void;
  private readonly encodeStretch: (text: string, start: number) => void;

  constructor(parts: PipelineParts) {
    this.parts = parts;
    this.type = parts.type;
    const union = new Set(parts.model.vocab.keys());
    for (const [content] of parts.added.contents()) union.add(content);
    this.vocabSize = union.size;
    const { model, added, normalizer, preTokenizer } = parts;
    this.emitWord = (piece) => model.encodeWord(piece, this.out);
    this.pushId = (id) => this.out.push(id);
    const normalizedMatcher = added.normalized;
    this.encodeStretch = (text, start) => {
      const normalized = normalizer === null ? text : normalizer(text);
      if (normalizedMatcher === null) {
        preTokenizer.split(normalized, start === 0, this.emitWord);
      } else {
        normalizedMatcher.split(normalized, (piece, offset) => preTokenizer.split(piece, start === 0 && offset === 0, this.emitWord), this.pushId);
      }
    };
  }

  get eod(): number {
    const eod = this.parts.eod;
    return typeof eod === 'number' ? eod : eod();
  }

  encode(text: string): number[] {
    const ids: number[] = [];
    this.out = ids;
    const raw = this.parts.added.raw;
    if (raw === null) this.encodeStretch(text, 0);
    else raw.split(text, this.encodeStretch, this.pushId);
    this.out = [];
    return this.parts.postProcessor === null ? ids : this.parts.postProcessor(ids);
  }

  decode(ids: ArrayLike<number>): string {
    const { added, decoder, skipSpecialOnDecode } = this.parts;
    const tokens: string[] = [];
    for (let k = 0; k < ids.length; k++) {
      const token = this.idToToken(ids[k]!);
      if (token === undefined || (skipSpecialOnDecode && added.isSpecial(token))) continue;
      tokens.push(token);
    }
    return decoder === null ? tokens.join(' ') : decoder(tokens).join('');
  }

  tokenToId(token: string): number | undefined {
    return this.parts.added.tokenToId(token) ?? this.parts.model.vocab.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.parts.added.idToToken(id) ?? this.parts.model.idToToken(id);
  }
}
