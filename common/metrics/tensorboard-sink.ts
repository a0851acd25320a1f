/**
 * Maps step and eval metrics onto TensorBoard scalars with GPT-NeoX's tag names where GPT-NeoX
 * writes the quantity (megatron/logging.py `training_log`, megatron/training.py
 * `evaluate_and_print_results`, chart "validation"):
 *
 *   train/lm_loss, train/learning_rate, train/loss_scale (only when a loss scale is reported;
 *   NeoX writes it for fp16 only), runtime/iteration_time (seconds), runtime/flops_per_sec_per_gpu
 *   (FLOP/s), validation/lm_loss, validation/lm_loss_ppl.
 *
 * Ours, because GPT-NeoX has no such scalar: train/grad_norm (global norm; NeoX only logs
 * per-parameter gradient_norms/<name>), train/skipped_iter (0/1), runtime/tokens_per_sec,
 * runtime/mfu (fraction), runtime/memory_rss_bytes.
 *
 * Difference: NeoX writes the runtime/* values as averages over log_interval steps at every
 * log_interval-th step; we write each step's own value at every step.
 */
import { EvalMetrics, MetricSink, TrainStepMetrics } from './metric-types';
import { TensorBoardWriter } from './tensorboard-writer';

type Field<M> = (metrics: M) => number | undefined;

export const TRAIN_TAGS: ReadonlyArray<readonly [string, Field<TrainStepMetrics>]> = [
  ['train/lm_loss', (m) => m.loss],
  ['train/learning_rate', (m) => m.learningRate],
  ['train/loss_scale', (m) => m.lossScale],
  ['train/grad_norm', (m) => m.gradNorm],
  ['train/skipped_iter', (m) => (m.skipped ? 1 : 0)],
  ['runtime/iteration_time', (m) => m.stepTimeS],
  ['runtime/flops_per_sec_per_gpu', (m) => m.flopsPerSec],
  ['runtime/tokens_per_sec', (m) => m.tokensPerSec],
  ['runtime/mfu', (m) => m.mfu],
  ['runtime/memory_rss_bytes', (m) => m.rssBytes],
];

export const EVAL_TAGS: ReadonlyArray<readonly [string, Field<EvalMetrics>]> = [
  ['validation/lm_loss', (m) => m.lmLoss],
  ['validation/lm_loss_ppl', (m) => m.lmLossPpl],
];

function* present<M>(tags: ReadonlyArray<readonly [string, Field<M>]>, metrics: M): Generator<[string, number]> {
  for (const [tag, pick] of tags) {
    const value = pick(metrics);
    if (value !== undefined) yield [tag, value];
  }
}

export class TensorBoardSink implements MetricSink {
  readonly name = 'tensorboard';
  constructor(readonly writer: TensorBoardWriter) {}

  writeTrain(metrics: TrainStepMetrics): void {
    this.writer.addScalars(metrics.step, present(TRAIN_TAGS, metrics));
  }

  writeEval(metrics: EvalMetrics): void {
    this.writer.addScalars(metrics.step, present(EVAL_TAGS, metrics));
  }

  flush(): void {
    this.writer.flush();
  }

  close(): void {
    this.writer.close();
  }
}
