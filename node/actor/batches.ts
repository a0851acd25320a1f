/**
 * Turns samples into the token rows an engine step reads: for training, the GAS micro-batches of
 * this data-parallel rank for one iteration (GPT-NeoX's order, common/data/consumption.ts); for
 * validation, one micro-batch from the validation iterator.
 */
import { BatchLayout, SampleSource, sampleIndexAt, trainSampleIndex } from '../../common/data';

/** Rows of one training step for `dpRank`: GAS × micro rows of seq_length + 1 tokens. */
export function trainStepTokens(source: SampleSource, iteration: number, dpRank: number, layout: BatchLayout): Int32Array {
  const row = source.seqLength + 1;
  const out = new Int32Array(layout.gradientAccumulationSteps * layout.microBatchSize * row);
  let offset = 0;
  for (let microStep = 0; microStep < layout.gradientAccumulationSteps; microStep++) {
    for (let b = 0; b < layout.microBatchSize; b++) {
      const index = trainSampleIndex({ iteration, microStep, dpRank, b }, source.length, layout);
      source.getSampleInto(index, out.subarray(offset, offset + row));
      offset += row;
    }
  }
  return out;
}

/** Rows of validation micro-batch number `microBatch` (counting from the start) for `dpRank`. */
export function validationTokens(source: SampleSource, microBatch: number, dpRank: number, layout: BatchLayout): Int32Array {
  const row = source.seqLength + 1;
  const out = new Int32Array(layout.microBatchSize * row);
  for (let b = 0; b < layout.microBatchSize; b++) {
    const index = sampleIndexAt(microBatch, dpRank, b, source.length, layout);
    source.getSampleInto(index, out.subarray(b * row, (b + 1) * row));
  }
  return out;
}
