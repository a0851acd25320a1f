/**
 * GPT-NeoX-compatible data: Megatron indexed datasets (.bin/.idx), preprocessing, and the
 * GPT2Dataset sampling order (index maps, splits, blending), for the training loop:
 *
 *   const { train, valid, test, close } = buildDatasets(config);   // builds or loads index maps
 *   const tokens = train!.getSample(trainSampleIndex({ iteration, microStep, dpRank, b }, train!.length, layout));
 */
export { buildDatasets, SPLITS } from './build-datasets';
export type { BuildOptions, Datasets, SplitName } from './build-datasets';
export { BlendableDataset, BlendingIndex, normalizedWeightsAndSamples, weightsByNumDocs } from './blending';
export { microBatchesPerPass, sampleIndexAt, trainMicroBatch, trainSampleIndex, validationStartMicroBatch } from './consumption';
export type { BatchLayout } from './consumption';
export { DATA_DEFAULTS } from './data-config';
export type { DataConfig } from './data-config';
export { datasetStats } from './dataset-stats';
export type { DatasetStats } from './dataset-stats';
export { DTYPES, dtypeForVocab } from './dtypes';
export type { TokenDType } from './dtypes';
export { GPT2Dataset } from './gpt2-dataset';
export { buildIndexMaps, planIndex } from './gpt2-index';
export type { BuiltIndexMaps, DocumentRange, IndexPlan } from './gpt2-index';
export { indexMapFiles, loadOrBuildIndexMaps, writeIndexMaps } from './index-cache';
export type { IndexMapFiles, IndexMapKey, IndexMaps } from './index-cache';
export { IndexedDataset } from './indexed-dataset';
export type { OpenOptions } from './indexed-dataset';
export { IndexedDatasetWriter } from './indexed-dataset-writer';
export type { WriterSummary } from './indexed-dataset-writer';
export { RandomState } from './numpy-random';
export { InterruptedError, preprocess } from './preprocess/preprocess';
export type { KeyOutput, PreprocessOptions, PreprocessProgress, PreprocessSummary } from './preprocess/preprocess';
export type { TokenizerSource } from './preprocess/tokenizer-source';
export type { SampleSource } from './sample-source';
export { splitSampleCounts } from './sample-counts';
export type { SplitSampleCounts } from './sample-counts';
export { parseSplit, splitBoundaries } from './splits';
