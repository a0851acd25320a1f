/**
 * The actor's training loop, from a resolved config to the last iteration: GPT-NeoX's learning-rate
 * schedule, gradient accumulation (inside the engine step), evaluation every eval_interval for
 * eval_iters, checkpoints on GPT-NeoX's cadence, metrics every step. Stops at train_iters, or early
 * when `signal` aborts (after finishing the step in flight, saving if a save directory is set).
 */
import { BatchLayout, SampleSource } from '../../common/data';
import { NeoxError } from '../../common/errors';
import { EvalMetrics, evalMetrics, TrainStepMetrics } from '../../common/metrics';
import { learningRate, LearningRateSchedule } from '../../common/schedule/learning-rate';
import { trainStepTokens, validationTokens } from './batches';
import { CheckpointCadence, checkpointDue } from './checkpoint-cadence';
import type { TrainingEngine, TrainStepOutcome } from './engine';
import type { TrainerState } from './trainer-state';

/** GPT-NeoX stops after this many consecutive skipped updates (its OverflowMonitor). */
export const MAX_CONSECUTIVE_SKIPS = 50;

/** Thrown when updates keep being skipped: the run has diverged. */
export class TrainingDivergedError extends NeoxError {
  constructor(message: string) {
    super('TRAINING_DIVERGED', message);
  }
}

/** The config keys the loop reads (a subset of NeoxConfig). */
export interface LoopConfig extends CheckpointCadence {
  train_iters: number;
  train_batch_size: number;
  train_micro_batch_size_per_gpu: number;
  gradient_accumulation_steps: number;
  data_parallel_size: number;
  seq_length: number;
  lr: number;
  min_lr: number;
  lr_decay_style: string;
  lr_decay_iters: number;
  warmup: number;
  eval_interval: number | null;
  eval_iters: number;
}

export interface LoopSinks {
  train(metrics: TrainStepMetrics, outcome: TrainStepOutcome): void;
  eval(metrics: EvalMetrics): void;
}

export interface TrainingLoopOptions {
  config: LoopConfig;
  engine: TrainingEngine;
  train: SampleSource;
  valid: SampleSource | null;
  dpRank: number;
  /** Where to start (fresh or loaded from a checkpoint); advanced in place. */
  state: TrainerState;
  sinks: LoopSinks;
  /** Saves a checkpoint of the current state; null when the run does not save. */
  save: ((state: TrainerState) => Promise<void>) | null;
  /** FLOPs per trained token, for the FLOP/s metric (common/metrics/flops.ts). */
  flopsPerToken: number;
  signal?: AbortSignal;
  /**
   * Ranks of a multi-process run agree on stopping (Engine.anyRank): every rank calls this before
   * each step with whether its own signal aborted, and all stop when any did. Absent: the signal alone.
   */
  agreeToStop?: (aborted: boolean) => Promise<boolean>;
  /** The state was loaded from a checkpoint of this very iteration: do not save it again. */
  loadedFromCheckpoint?: boolean;
}

export interface TrainingOutcome {
  /** Loss of every iteration run by this call, in order. */
  losses: number[];
  /** True when stopped by the signal before train_iters. */
  interrupted: boolean;
  lastSavedIteration: number | null;
}

export function layoutOf(config: LoopConfig): BatchLayout {
  return {
    microBatchSize: config.train_micro_batch_size_per_gpu,
    dataParallelSize: config.data_parallel_size,
    gradientAccumulationSteps: config.gradient_accumulation_steps,
  };
}

export function scheduleOf(config: LoopConfig): LearningRateSchedule {
  return {
    lr: config.lr, min_lr: config.min_lr, lr_decay_style: config.lr_decay_style,
    lr_decay_iters: config.lr_decay_iters, warmup: config.warmup,
  };
}

/** Mean lm loss over eval_iters × GAS validation micro-batches (GPT-NeoX §3.6). */
export async function evaluate(options: TrainingLoopOptions): Promise<number> {
  const { config, engine, valid, state, dpRank } = options;
  if (!valid) throw new Error('evaluate() needs a validation dataset');
  const layout = layoutOf(config);
  const microBatches = config.eval_iters * config.gradient_accumulation_steps;
  let total = 0;
  for (let i = 0; i < microBatches; i++) {
    total += await engine.evalLoss(validationTokens(valid, state.valid_micro_batches, dpRank, layout));
    state.valid_micro_batches += 1;
  }
  return total / microBatches;
}

export async function runTrainingLoop(options: TrainingLoopOptions): Promise<TrainingOutcome> {
  const { config, engine, train, state, sinks, save, signal } = options;
  const layout = layoutOf(config);
  const schedule = scheduleOf(config);
  const tokensPerStep = config.train_batch_size * config.seq_length; // every data-parallel rank's rows
  const losses: number[] = [];
  let lastSavedIteration: number | null = options.loadedFromCheckpoint ? state.iteration : null;
  let consecutiveSkips = 0;

  const saveNow = async () => {
    if (!save || lastSavedIteration === state.iteration) return;
    await save(state);
    lastSavedIteration = state.iteration;
  };

  if (state.iteration === 0 && config.extra_save_iters?.includes(0)) await saveNow();

  while (state.iteration < config.train_iters) {
    const aborted = signal?.aborted === true;
    if (options.agreeToStop ? await options.agreeToStop(aborted) : aborted) {
      await saveNow();
      return { losses, interrupted: true, lastSavedIteration };
    }
    const started = performance.now();
    const tokens = trainStepTokens(train, state.iteration, options.dpRank, layout);
    const lr = learningRate(state.scheduler_steps, schedule);
    const outcome = await engine.trainStep(tokens, null, lr, state.iteration);
    const seconds = (performance.now() - started) / 1000;

    state.iteration += 1;
    state.consumed_train_samples += config.train_batch_size;
    state.optimizer_step = engine.optimizerStep();
    if (outcome.skipped) {
      state.skipped_steps += 1;
      consecutiveSkips += 1;
    } else {
      state.scheduler_steps += 1;
      consecutiveSkips = 0;
    }
    losses.push(outcome.loss);
    sinks.train(
      {
        step: state.iteration, loss: outcome.loss, learningRate: lr, gradNorm: outcome.gradNorm,
        stepTimeS: seconds, tokensPerSec: tokensPerStep / seconds,
        flopsPerSec: (options.flopsPerToken * tokensPerStep) / seconds, rssBytes: process.memoryUsage.rss(),
        skipped: outcome.skipped,
      },
      outcome,
    );
    if (consecutiveSkips >= MAX_CONSECUTIVE_SKIPS) {
      throw new TrainingDivergedError(
        `${consecutiveSkips} consecutive updates were skipped (last at iteration ${state.iteration}: ${outcome.nonFinite ? `${outcome.nonFinite.tensor} is not finite` : `loss ${outcome.loss}`}); ` +
          'the run has diverged: lower the learning rate or resume from an earlier checkpoint',
      );
    }

    if (options.valid && config.eval_interval && state.iteration % config.eval_interval === 0) {
      sinks.eval(evalMetrics(state.iteration, await evaluate(options)));
    }
    if (checkpointDue(state.iteration, config)) await saveNow();
  }
  await saveNow();
  return { losses, interrupted: false, lastSavedIteration };
}
