/**
 * The tokenizer interface every part of neox uses (preprocessing, generation, serving, eval).
 * Implementations live beside this file, one per GPT-NeoX `tokenizer_type`.
 */

export interface Tokenizer {
  /** GPT-NeoX tokenizer_type, e.g. "HFTokenizer". */
  readonly type: string;
  /** Vocabulary size before padding, added tokens included (GPT-NeoX's `tokenizer.vocab_size`). */
  readonly vocabSize: number;
  /** The end-of-document id appended by `--append-eod` (GPT-NeoX's `tokenizer.eod`). */
  readonly eod: number;
  /** Token ids of `text`; adds no special tokens (BOS/EOS) unless the tokenizer always does. */
  encode(text: string): number[];
  /** Text of `ids`; the inverse of encode for ids it produced. */
  decode(ids: ArrayLike<number>): string;
  /** Id of a vocabulary entry or added/special token, written as the vocabulary writes it. */
  tokenToId(token: string): number | undefined;
  /** The vocabulary entry or added/special token of an id (undefined outside the vocabulary);
   *  like Hugging Face's id_to_token, a normalized added token comes back normalized. */
  idToToken(id: number): string | undefined;
}

/** The GPT-NeoX config keys that select and locate a tokenizer. */
export interface TokenizerSpec {
  tokenizer_type: string;
  vocab_file: string | null;
  merge_file: string | null;
}
