/**
 * What the training loop needs from a trainer engine. The native engine (native/ts/native.ts)
 * satisfies it; tests use small fakes. Tokens are rows of seq_length + 1 ids (inputs are the
 * first S, labels the last S), micro-batch after micro-batch.
 */

export interface StepTimings {
  forwardMs: number;
  backwardMs: number;
  optimizerMs: number;
  totalMs: number;
}

export interface TrainStepOutcome {
  /** Mean lm loss over the step's micro-batches (each a token mean, GPT-NeoX §3.6). */
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** True when the update was not applied (non-finite loss or gradient). */
  skipped: boolean;
  /** The first tensor that went non-finite, when skipped for that reason. */
  nonFinite: { step: number; tensor: string } | null;
  timings: StepTimings;
}

export interface EngineTensorInfo {
  name: string;
  shape: number[];
  dtype: 'F32';
  kind: 'parameter' | 'exp_avg' | 'exp_avg_sq';
}

export interface TrainingEngine {
  /** One optimizer step over `tokens` = gradient_accumulation_steps × micro rows. */
  trainStep(tokens: Int32Array, lossMask: Float32Array | null, lr: number, step: number): Promise<TrainStepOutcome>;
  /** Mean lm loss of one micro-batch of rows (no gradients). */
  evalLoss(tokens: Int32Array): Promise<number>;
  tensorInfo(): EngineTensorInfo[];
  getTensor(name: string): Float32Array;
  setTensor(name: string, data: Float32Array): void;
  /** Optimizer updates applied so far (AdamW's t). */
  optimizerStep(): number;
  setOptimizerStep(step: number): void;
  close(): void;
}
