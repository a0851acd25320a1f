/** What the training loop reports, and the interface every sink implements. */

/** One optimizer step. Optional fields are omitted by sinks when absent. */
export interface TrainStepMetrics {
  /** Optimizer steps completed, counting this one (GPT-NeoX's `iteration`). */
  step: number;
  /** Mean lm loss of the step's micro-batches. */
  loss: number;
  learningRate: number;
  /** Global gradient norm before clipping. */
  gradNorm?: number;
  /** Dynamic loss scale (fp16 only). */
  lossScale?: number;
  /** Wall seconds the step took. */
  stepTimeS: number;
  tokensPerSec: number;
  /** Model FLOP/s achieved by this process (see flops.ts). */
  flopsPerSec?: number;
  /** Model FLOPs utilisation, a fraction in [0, 1] of the configured peak. */
  mfu?: number;
  /** Resident set size of the trainer process, bytes. */
  rssBytes?: number;
  /** True when the update was skipped (fp16 overflow). */
  skipped: boolean;
}

/** One validation pass (every eval_interval steps). */
export interface EvalMetrics {
  step: number;
  lmLoss: number;
  /** exp(lmLoss), as GPT-NeoX reports it. */
  lmLossPpl: number;
}

/** Builds EvalMetrics with the perplexity GPT-NeoX derives from the loss. */
export function evalMetrics(step: number, lmLoss: number): EvalMetrics {
  return { step, lmLoss, lmLossPpl: Math.exp(lmLoss) };
}

/** A destination for metrics. Methods may throw; the hub disables a sink that does. */
export interface MetricSink {
  /** Short name used in logs, e.g. "tensorboard". */
  readonly name: string;
  writeTrain(metrics: TrainStepMetrics): void;
  writeEval(metrics: EvalMetrics): void;
  flush(): void;
  close(): void;
}
