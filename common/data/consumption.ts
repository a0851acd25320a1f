/**
 * The order in which training consumes samples (docs/gpt-neox-reference.md §4.10): a sequential
 * sampler over the dataset, global batches of micro · dp samples (drop_last), data-parallel rank r
 * taking the contiguous slice [r · micro, (r + 1) · micro), and the iterator cycling forever. The
 * order depends only on the dataset, never on dp.
 */

export interface BatchLayout {
  /** train_micro_batch_size_per_gpu */
  microBatchSize: number;
  /** data-parallel world size */
  dataParallelSize: number;
  /** gradient_accumulation_steps */
  gradientAccumulationSteps: number;
}

/** Global micro-batches in one pass over `datasetLength` samples (the loader length). */
export function microBatchesPerPass(datasetLength: number, layout: BatchLayout): number {
  return Math.floor(datasetLength / (layout.microBatchSize * layout.dataParallelSize));
}

/**
 * Dataset index of sample `b` on data-parallel rank `dpRank` in global micro-batch number
 * `microBatch` (counting every micro-batch drawn from this loader since the start).
 */
export function sampleIndexAt(microBatch: number, dpRank: number, b: number, datasetLength: number, layout: BatchLayout): number {
  const perPass = microBatchesPerPass(datasetLength, layout);
  if (perPass === 0) {
    throw new RangeError(`a dataset of ${datasetLength} samples holds no full global micro-batch of ${layout.microBatchSize}·${layout.dataParallelSize}`);
  }
  if (dpRank < 0 || dpRank >= layout.dataParallelSize || b < 0 || b >= layout.microBatchSize) {
    throw new RangeError(`dp rank ${dpRank} / sample ${b} is outside dp ${layout.dataParallelSize} × micro ${layout.microBatchSize}`);
  }
  const global = layout.microBatchSize * layout.dataParallelSize;
  return (microBatch % perPass) * global + dpRank * layout.microBatchSize + b;
}

/** Training: sample b of micro-step j of iteration s on rank r is in micro-batch s · GAS + j. */
export function trainSampleIndex(
  position: { iteration: number; microStep: number; dpRank: number; b: number },
  datasetLength: number,
  layout: BatchLayout,
): number {
  const microBatch = position.iteration * layout.gradientAccumulationSteps + position.microStep;
  return sampleIndexAt(microBatch, position.dpRank, position.b, datasetLength, layout);
}

/** The dataset indices rank `dpRank` reads for micro-step j of iteration s, in order. */
export function trainMicroBatch(iteration: number, microStep: number, dpRank: number, datasetLength: number, layout: BatchLayout): number[] {
  return Array.from({ length: layout.microBatchSize }, (_, b) => trainSampleIndex({ iteration, microStep, dpRank, b }, datasetLength, layout));
}

/** First validation micro-batch after resuming at `iteration` (GPT-NeoX's start_iter_val). */
export function validationStartMicroBatch(iteration: number, layout: BatchLayout, evalInterval: number, evalIters: number): number {
  return Math.floor((iteration * layout.gradientAccumulationSteps) / evalInterval) * evalIters;
}
