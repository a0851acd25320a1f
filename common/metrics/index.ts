/** Metric sinks for the training loop: TensorBoard, jsonl, console progress, FLOP accounting. */
export * from './crc32c';
export * from './errors';
export * from './event-file-reader';
export * from './event-proto';
export * from './flops';
export * from './jsonl-reader';
export * from './jsonl-sink';
export * from './metric-types';
export * from './metrics-hub';
export * from './moving-average';
export * from './progress-line';
export * from './progress-renderer';
export * from './tensorboard-sink';
export * from './tensorboard-writer';
export * from './tfrecord';
