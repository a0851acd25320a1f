/**
 * One actor's whole run in this process, from a resolved config: raw data preprocessed when
 * missing, datasets and index maps built, the engine created (and loaded from `load` when a
 * checkpoint is there), the training loop with metrics and checkpoints, then the sinks closed.
 * `neox train` on the embedded default runs this; the agent's actor processes will run the same
 * steps with a rank and communicators.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { NeoxConfig } from '../../common/config';
import { LATEST_FILE, type Topology } from '../../common/checkpoint';
import { buildDatasets, type Datasets, type PreprocessProgress, type PreprocessSummary } from '../../common/data';
import { ConfigError } from '../../common/errors';
import { createFileLogger, type Logger } from '../../common/logging';
import { type ConsoleStream, flopsPerToken, matmulParameterCount, MetricsHub } from '../../common/metrics';
import { learningRate } from '../../common/schedule/learning-rate';
import { createEngine, type Engine, type EngineParallelOptions } from '../../native/ts/native';
import { loadDistributedCheckpoint, saveDistributedCheckpoint } from './distributed-checkpoint';
import { loadEngineCheckpoint, saveEngineCheckpoint } from './engine-checkpoint';
import { prepareData } from './prepare-data';
import type { RunReport } from './run-report';
import { initialTrainerState, parseTrainerState, type TrainerState } from './trainer-state';
import { type LoopConfig, runTrainingLoop, scheduleOf } from './training-loop';

export interface LocalRunOptions {
  config: NeoxConfig;
  /** CPU threads; null = the config's actor_threads (0 = all cores). */
  threads: number | null;
  /** Where the progress line and notices go. */
  console: ConsoleStream;
  /** Aborting stops after the step in flight (saving first when `save` is set). */
  signal?: AbortSignal;
  /** Preprocessing progress of raw data named by data_preprocess. */
  onPreprocess?: { progress(p: PreprocessProgress): void; done(prefix: string, summary: PreprocessSummary): void };
  /** Structured log of the run's events; default: log_dir/neox.log when log_dir is set, else none. */
  logger?: Logger | null;
  /** Called once the engine exists, before any checkpoint is loaded (on rank 0 only). */
  onStart?: (engine: Engine) => void;
  /**
   * This process is one rank of a multi-process run (started by node/launch with the data already
   * prepared): the engine joins the run, checkpoints are saved and loaded by every rank together,
   * the ranks agree on stopping, and only rank 0 prints, logs and writes metrics.
   */
  parallel?: EngineParallelOptions | null;
}

export interface LocalRunResult extends RunReport {
  /** The trained engine, still open: the caller generates from it, then closes it. */
  engine: Engine;
}

/** The checkpoint topology of a single in-process actor. */
export function singleProcessTopology(config: NeoxConfig): Topology {
  return {
    world_size: 1, data_parallel_size: 1, model_parallel_size: 1, pipe_parallel_size: 1, // stages, as distributed-checkpoint.ts records them
    zero_stage: config.zero_optimization.stage,
  };
}

/**
 * What a checkpoint's trainer_state records besides the resumable counters: the schedule position,
 * how dropout randomness is keyed (counter-based: nothing else to store), and the loss scale
 * (none: the CPU engine computes in fp32).
 */
export function stateDetails(config: LoopConfig, state: TrainerState): Record<string, unknown> {
  return {
    learning_rate: learningRate(state.scheduler_steps, scheduleOf(config)),
    lr_decay_style: config.lr_decay_style,
    lr_decay_iters: config.lr_decay_iters,
    rng: { dropout: 'counter-based: splitmix64 keyed by (seed, iteration, micro-batch, site, element)', seed: state.seed },
    loss_scale: null,
  };
}

/** Tokenizer files a checkpoint should carry so that generation can decode without the config's paths. */
export function tokenizerFilesOf(config: NeoxConfig): string[] {
  return [config.vocab_file, config.merge_file].filter((f): f is string => typeof f === 'string' && f.length > 0);
}

/** FLOPs per trained token of the config's model (common/metrics/flops.ts). */
export function modelFlopsPerToken(config: NeoxConfig): number {
  const gated = config.activation === 'swiglu';
  return flopsPerToken({
    matmulParameters: matmulParameterCount({
      layers: config.num_layers, hidden: config.hidden_size, heads: config.num_attention_heads,
      kvHeads: config.num_kv_heads ?? config.num_attention_heads,
      ffnHidden: config.mlp_linear2_width, gatedMlp: gated, vocab: config.padded_vocab_size ?? 0,
    }),
    layers: config.num_layers, seqLength: config.seq_length, hidden: config.hidden_size,
  });
}

/** The loop's keys, with the ones a run cannot do without checked. */
export function loopConfigOf(config: NeoxConfig): LoopConfig {
  const trainIters = config.train_iters;
  if (trainIters === null || !Number.isSafeInteger(trainIters) || trainIters < 1) {
    throw new ConfigError(`train_iters is ${JSON.stringify(trainIters)}; set it to the number of optimizer steps to train (a positive integer)`, 'train_iters');
  }
  return { ...config, train_iters: trainIters, lr_decay_iters: config.lr_decay_iters ?? trainIters } as LoopConfig;
}

function openDatasets(config: NeoxConfig): Datasets & { train: NonNullable<Datasets['train']> } {
  const datasets = buildDatasets(config);
  if (!datasets.train || datasets.train.length === 0) {
    datasets.close();
    throw new ConfigError(
      'the training split has no samples: check that data_path / train_data_paths name non-empty datasets (neox dataset inspect PREFIX) and that split gives training a share > 0',
      'split',
    );
  }
  return datasets as Datasets & { train: NonNullable<Datasets['train']> };
}

/** A place in a multi-process run: what this rank does differently from a whole run in one process. */
interface RankRole {
  parallel: EngineParallelOptions | null;
  /** Rank 0 (or the only process): prints, logs and writes metrics. */
  reporter: boolean;
}

/** Loads `config.load` into the engine: a single-process load, or this rank's boxes of any layout's checkpoint. */
function loadCheckpoint(config: NeoxConfig, engine: Engine, role: RankRole): { state: TrainerState; dir: string } {
  const load = config.load!;
  if (!role.parallel) {
    return loadEngineCheckpoint(load, engine, { finetune: config.finetune, noLoadOptim: config.no_load_optim, step: null, seed: config.seed });
  }
  const loaded = loadDistributedCheckpoint(load, engine, { step: null, noLoadOptim: config.finetune || config.no_load_optim });
  const state = config.finetune ? initialTrainerState(config.seed) : parseTrainerState(loaded.trainerState, join(loaded.dir, 'manifest.json'));
  return { state, dir: loaded.dir };
}

/** Saves a checkpoint of the run: this process's tensors, or every rank its part (all ranks call it). */
async function saveCheckpoint(config: NeoxConfig, loopConfig: LoopConfig, engine: Engine, state: TrainerState, role: RankRole): Promise<string> {
  const common = {
    saveDir: config.save!, config: config as unknown as Record<string, unknown>, keepLast: config.keep_last_n_checkpoints,
    tokenizerFiles: tokenizerFilesOf(config),
  };
  if (!role.parallel) {
    return saveEngineCheckpoint({ ...common, engine, state, topology: singleProcessTopology(config), details: stateDetails(loopConfig, state) });
  }
  return saveDistributedCheckpoint({ ...common, engine, step: state.iteration, trainerState: { ...stateDetails(loopConfig, state), ...state } });
}

/** A stream that drops what it is given (the console of ranks other than 0). */
const SILENT: ConsoleStream = { write: () => true };

export async function runLocal(options: LocalRunOptions): Promise<LocalRunResult> {
  const { config } = options;
  const loopConfig = loopConfigOf(config);
  const role: RankRole = { parallel: options.parallel ?? null, reporter: (options.parallel?.rank ?? 0) === 0 };
  if (!role.parallel && (config.data_parallel_size !== 1 || config.model_parallel_size !== 1 || config.pipe_parallel_size > 1)) {
    throw new ConfigError(
      `this run asks for data_parallel_size ${config.data_parallel_size}, model_parallel_size ${config.model_parallel_size}, pipe_parallel_size ${config.pipe_parallel_size}; ` +
        'one process trains with all of them at 1 (or 0 for pipe_parallel_size): start one process per rank (neox train --world-size N) or lower them',
      'model_parallel_size',
    );
  }
  const terminal = role.reporter ? options.console : SILENT;
  const log = !role.reporter ? null : options.logger !== undefined ? options.logger
    : config.log_dir ? createFileLogger({ name: 'actor', path: join(config.log_dir, 'neox.log') }) : null;
  log?.info({ train_iters: loopConfig.train_iters, data_path: config.data_path, save: config.save, load: config.load, world_size: config.world_size }, 'run starting');
  if (!role.parallel) {
    // A multi-process run's launcher prepares the data before starting the ranks.
    const onPreprocess = options.onPreprocess ?? { progress: () => {}, done: () => {} };
    await prepareData(config, {
      progress: onPreprocess.progress,
      done: (prefix, summary) => {
        log?.info({ prefix, documents: summary.documents, tokens: summary.tokens, seconds: summary.seconds }, 'preprocessed raw input');
        onPreprocess.done(prefix, summary);
      },
    }, options.signal);
  }
  const datasets = openDatasets(config);
  let engine: Engine | null = null;
  let metrics: MetricsHub | null = null;
  try {
    engine = await createEngine(config, role.parallel ? { threads: options.threads, seed: null, parallel: role.parallel } : { threads: options.threads, seed: null });
    if (role.reporter) options.onStart?.(engine);
    log?.info({ parameters: engine.parameterCount, threads: engine.threads }, 'engine created');
    let state = initialTrainerState(config.seed);
    let loadedFrom: string | null = null;
    if (config.load && existsSync(join(config.load, LATEST_FILE))) {
      const loaded = loadCheckpoint(config, engine, role);
      state = loaded.state;
      loadedFrom = loaded.dir;
      log?.info({ dir: loaded.dir, iteration: state.iteration, finetune: config.finetune }, 'checkpoint loaded');
      terminal.write(config.finetune
        ? `loaded the weights of ${loaded.dir} (finetune: starting at iteration 0)\n`
        : `resumed from ${loaded.dir} at iteration ${state.iteration}\n`);
    } else if (config.load) {
      terminal.write(`no checkpoint in ${config.load} yet (no "${LATEST_FILE}" file): starting from scratch\n`);
    }

    metrics = MetricsHub.open(role.reporter
      ? {
        tensorboardDir: config.tensorboard_dir,
        metricsFile: config.log_dir ? join(config.log_dir, 'metrics.jsonl') : null,
        progress: { stream: terminal, totalSteps: loopConfig.train_iters, logInterval: config.log_interval },
      }
      : { tensorboardDir: null, metricsFile: null, progress: null });
    const hub = metrics;
    const trained = engine;
    const startIteration = state.iteration;
    const started = performance.now();
    const outcome = await runTrainingLoop({
      config: loopConfig, engine, train: datasets.train, valid: datasets.valid, dpRank: engine.parallel.dpRank, state,
      sinks: {
        train: (m, outcome) => {
          hub.logTrain(m);
          if (outcome.nonFinite) log?.warn({ step: m.step, tensor: outcome.nonFinite.tensor }, 'update skipped: a non-finite value');
        },
        eval: (m) => {
          hub.logEval(m);
          log?.info({ step: m.step, lm_loss: m.lmLoss }, 'evaluation');
        },
      },
      save: config.save
        ? async (s) => {
          const dir = await saveCheckpoint(config, loopConfig, trained, s, role);
          log?.info({ dir, iteration: s.iteration }, 'checkpoint saved');
        }
        : null,
      flopsPerToken: modelFlopsPerToken(config),
      signal: options.signal,
      agreeToStop: role.parallel ? (aborted) => trained.anyRank(aborted) : undefined,
      loadedFromCheckpoint: loadedFrom !== null && !config.finetune,
    });
    const trainSeconds = (performance.now() - started) / 1000;
    log?.info({ iteration: state.iteration, interrupted: outcome.interrupted, seconds: trainSeconds, last_loss: outcome.losses.at(-1) ?? null }, 'run finished');
    return { engine, startIteration, state, outcome, loadedFrom, trainSeconds };
  } catch (error) {
    log?.error({ error: (error as Error).message }, 'run failed');
    engine?.close();
    throw error;
  } finally {
    metrics?.close();
    datasets.close();
  }
}
