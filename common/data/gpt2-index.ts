/**
 * GPT-NeoX's GPT2Dataset index construction for `pack_impl: packed` (gpt-neox
 * megatron/data/gpt2_dataset.py and helpers.cpp; docs/gpt-neox-reference.md §4.6):
 * doc_idx = the documents repeated over all epochs in one numpy shuffle; sample_idx = where each
 * sample's first token sits in that token stream; shuffle_idx = a numpy shuffle of sample ids.
 */
import { RandomState } from './numpy-random';

/** A contiguous range of item ids [start, end) (a split, or a whole file). */
export interface DocumentRange {
  start: number;
  end: number;
}

export interface IndexPlan {
  tokensPerEpoch: number;
  numEpochs: number;
  /** Samples the index holds: (numEpochs · tokensPerEpoch − 1) // seqLength. */
  totalSamples: number;
  docIdxLength: number;
  sampleIdxDtype: 'int32' | 'int64';
  shuffleIdxDtype: 'uint32' | 'int64';
}

export interface BuiltIndexMaps {
  plan: IndexPlan;
  docIdx: Int32Array;
  /** Row-major [totalSamples + 1, 2]: (index into doc_idx, token offset in that item). */
  sampleIdx: Int32Array | Float64Array;
  shuffleIdx: Uint32Array | Float64Array;
}

/** ⌊a / b⌋ for non-negative safe integers (checked, so it stays exact at any magnitude). */
export function floorDiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  if (q * b > a) q--;
  else if ((q + 1) * b <= a) q++;
  return q;
}

export function tokensInRange(sizes: Int32Array, range: DocumentRange): number {
  let total = 0;
  for (let i = range.start; i < range.end; i++) total += sizes[i]!;
  return total;
}

/** Smallest E ≥ 1 with (E · tokensPerEpoch − 1) // seqLength ≥ numSamples. */
export function numEpochsFor(tokensPerEpoch: number, seqLength: number, numSamples: number): number {
  if (tokensPerEpoch < 2) throw new RangeError(`a dataset needs at least 2 tokens, this one has ${tokensPerEpoch}`);
  let epochs = Math.max(1, floorDiv(numSamples * seqLength, tokensPerEpoch));
  while (epochs > 1 && floorDiv((epochs - 1) * tokensPerEpoch - 1, seqLength) >= numSamples) epochs--;
  while (floorDiv(epochs * tokensPerEpoch - 1, seqLength) < numSamples) epochs++;
  return epochs;
}

/** Sizes, epochs and dtypes of the index maps for `numSamples` samples of `seqLength` (+1) tokens. */
export function planIndex(sizes: Int32Array, range: DocumentRange, numSamples: number, seqLength: number): IndexPlan {
  if (!Number.isInteger(seqLength) || seqLength < 1) throw new RangeError(`seq_length ${seqLength} must be a positive integer`);
  const tokensPerEpoch = tokensInRange(sizes, range);
  const numEpochs = numEpochsFor(tokensPerEpoch, seqLength, numSamples);
  const totalSamples = floorDiv(numEpochs * tokensPerEpoch - 1, seqLength);
  // GPT-NeoX compares with a true (float) division here.
  const sampleIdxDtype = 2 * ((numEpochs * tokensPerEpoch - 1) / seqLength + 1) < 2147483647 ? 'int32' : 'int64';
  const shuffleIdxDtype = totalSamples >= 0xffffffff - 1 ? 'int64' : 'uint32';
  return { tokensPerEpoch, numEpochs, totalSamples, docIdxLength: numEpochs * (range.end - range.start), sampleIdxDtype, shuffleIdxDtype };
}

/** The documents of `range` repeated `numEpochs` times (epoch-major), then one shuffle. */
export function buildDocIdx(range: DocumentRange, numEpochs: number, rng: RandomState): Int32Array {
  const perEpoch = range.end - range.start;
  const docIdx = new Int32Array(perEpoch * numEpochs);
  for (let i = 0; i < perEpoch; i++) docIdx[i] = range.start + i;
  for (let e = 1; e < numEpochs; e++) docIdx.copyWithin(e * perEpoch, 0, perEpoch);
  rng.shuffle(docIdx);
  return docIdx;
}

/**
 * helpers.cpp `build_sample_idx`: the (doc_idx position, offset) of stream token s·seqLength.
 * Item sizes are gathered in blocks (sizes[doc_idx[k]] for the next 64K positions) so the random
 * reads overlap instead of stalling the walk (≈1.9× faster at Pile scale).
 */
export function buildSampleIdx(sizes: Int32Array, docIdx: Int32Array, seqLength: number, plan: IndexPlan): Int32Array | Float64Array {
  const total = plan.totalSamples;
  const out = plan.sampleIdxDtype === 'int32' ? new Int32Array(2 * (total + 1)) : new Float64Array(2 * (total + 1));
  const lengths = new Int32Array(Math.min(1 << 16, docIdx.length));
  let base = 0;
  let limit = 0;
  let position = 0;
  let offset = 0;
  for (let s = 1; s <= total; s++) {
    let remaining = seqLength + 1;
    while (remaining !== 0) {
      if (position >= limit) {
        base = position;
        limit = Math.min(docIdx.length, base + lengths.length);
        for (let k = base; k < limit; k++) lengths[k - base] = sizes[docIdx[k]!]!;
      }
      const docLength = lengths[position - base]! - offset;
      remaining -= docLength;
      if (remaining <= 0) {
        // The sample ends inside this item; the next one starts on its last token.
        offset += remaining + docLength - 1;
        remaining = 0;
      } else {
        position++;
        offset = 0;
      }
    }
    out[2 * s] = position;
    out[2 * s + 1] = offset;
  }
  return out;
}

/** arange(size) in uint32 (int64 from 2^32 − 2 on), shuffled. */
export function buildShuffleIdx(size: number, dtype: 'uint32' | 'int64', rng: RandomState): Uint32Array | Float64Array {
  const out = dtype === 'uint32' ? new Uint32Array(size) : new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = i;
  rng.shuffle(out);
  return out;
}

/** All three maps, drawing both shuffles from one RandomState(seed) in GPT-NeoX's order. */
export function buildIndexMaps(sizes: Int32Array, range: DocumentRange, numSamples: number, seqLength: number, seed: number): BuiltIndexMaps {
  const plan = planIndex(sizes, range, numSamples, seqLength);
  const rng = new RandomState(seed);
  const docIdx = buildDocIdx(range, plan.numEpochs, rng);
  const sampleIdx = buildSampleIdx(sizes, docIdx, seqLength, plan);
  const shuffleIdx = buildShuffleIdx(plan.totalSamples, plan.shuffleIdxDtype, rng);
  return { plan, docIdx, sampleIdx, shuffleIdx };
}
