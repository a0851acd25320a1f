/** What the training loop reads: a fixed-length list of samples of seqLength + 1 token ids. */
export interface SampleSource {
  readonly name: string;
  /** Number of samples served (indices at or beyond it wrap around, as in GPT-NeoX). */
  readonly length: number;
  /** S: every sample holds S + 1 tokens (inputs are the first S, labels the last S). */
  readonly seqLength: number;
  /** Copies sample `index` into `out[0..seqLength]`. */
  getSampleInto(index: number, out: Int32Array): void;
  /** Sample `index` as a new array of seqLength + 1 token ids. */
  getSample(index: number): Int32Array;
}
