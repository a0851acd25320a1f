import test from 'ava';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { learningRate } from '../../../common/schedule/learning-rate';
import { checkpointDue, isPowerOf } from '../checkpoint-cadence';
import { loadEngineCheckpoint, saveEngineCheckpoint } from '../engine-checkpoint';
import { LoopConfig, MAX_CONSECUTIVE_SKIPS, runTrainingLoop, scheduleOf, TrainingLoopOptions } from '../training-loop';
import { initialTrainerState, TrainerState } from '../trainer-state';
import { countingSource, FakeEngine } from './fake-engine';

const config: LoopConfig = {
  train_iters: 10, train_batch_size: 4, train_micro_batch_size_per_gpu: 2, gradient_accumulation_steps: 2,
  data_parallel_size: 1, seq_length: 3, lr: 1e-2, min_lr: 1e-3, lr_decay_style: 'cosine', lr_decay_iters: 10, warmup: 0.2,
  eval_interval: 4, eval_iters: 2, checkpoint_factor: 3, checkpoint_scale: 'linear', extra_save_iters: [1],
};

const topology = { world_size: 1, data_parallel_size: 1, model_parallel_size: 1, pipe_parallel_size: 1, zero_stage: 0 };

function options(engine: FakeEngine, state: TrainerState, overrides: Partial<TrainingLoopOptions> = {}): TrainingLoopOptions & { evals: number[]; saved: number[] } {
  const evals: number[] = [];
  const saved: number[] = [];
  return {
    config, engine, train: countingSource(50, 3), valid: countingSource(9, 3), dpRank: 0, state,
    sinks: { train: () => {}, eval: (m) => evals.push(m.step) },
    save: async (s) => { saved.push(s.iteration); },
    flopsPerToken: 1, evals, saved, ...overrides,
  };
}

test('checkpoint cadence follows GPT-NeoX (linear, log, extra_save_iters)', (t) => {
  const linear = { checkpoint_factor: 1000, checkpoint_scale: 'linear', extra_save_iters: [0, 1, 2, 4, 512] };
  t.deepEqual([0, 1, 2, 3, 4, 512, 999, 1000, 2000, 2500].filter((k) => checkpointDue(k, linear)), [0, 1, 2, 4, 512, 1000, 2000]);
  const log = { checkpoint_factor: 2, checkpoint_scale: 'log', extra_save_iters: null };
  t.deepEqual([1, 2, 3, 4, 6, 8, 1024, 1000].filter((k) => checkpointDue(k, log)), [1, 2, 4, 8, 1024]);
  t.true(isPowerOf(1, 10));
  t.false(isPowerOf(0, 2));
});

test('the loop feeds the schedule, the data order, evaluation and saves as configured', async (t) => {
  const engine = new FakeEngine();
  const run = options(engine, initialTrainerState(1234));
  const outcome = await runTrainingLoop(run);
  t.is(outcome.losses.length, 10);
  t.deepEqual(engine.calls.map((c) => c.step), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  t.deepEqual(engine.calls.map((c) => c.lr), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => learningRate(n, scheduleOf(config))));
  // Iteration 1 reads micro-batches 2 and 3: samples 4..7, each [i, i+1, i+2, i+3].
  t.deepEqual(Array.from(engine.calls[1]!.tokens), [4, 5, 6, 7, 5, 6, 7, 8, 6, 7, 8, 9, 7, 8, 9, 10]);
  t.deepEqual(run.evals, [4, 8]);
  t.is(engine.evalCalls.length, 2 * config.eval_iters * config.gradient_accumulation_steps);
  t.deepEqual(run.saved, [1, 3, 6, 9, 10]);
  t.is(run.state.consumed_train_samples, 40);
});

test('a resumed run continues exactly where the uninterrupted one was', async (t) => {
  const straight = new FakeEngine();
  const full = await runTrainingLoop(options(straight, initialTrainerState(1234)));

  const saveDir = mkdtempSync(join(tmpdir(), 'neox-loop-'));
  const first = new FakeEngine();
  const save = async (state: TrainerState) => {
    saveEngineCheckpoint({ saveDir, engine: first, state, config: {}, topology, keepLast: null, tokenizerFiles: [] });
  };
  const stopAt = { ...config, train_iters: 7 };
  const partial = await runTrainingLoop({ ...options(first, initialTrainerState(1234), { save }), config: stopAt });

  const second = new FakeEngine();
  const { state } = loadEngineCheckpoint(saveDir, second, { finetune: false, noLoadOptim: false, step: null, seed: 1234 });
  t.is(state.iteration, 7);
  const rest = await runTrainingLoop(options(second, state));
  t.deepEqual([...partial.losses, ...rest.losses], full.losses);
  t.deepEqual(Array.from(second.getTensor('w')), Array.from(straight.getTensor('w')));
  t.deepEqual(readdirSync(saveDir).sort(), ['global_step1', 'global_step3', 'global_step6', 'global_step7', 'latest']);
});

test('skipped updates do not advance the schedule; too many in a row stop the run', async (t) => {
  const engine = new FakeEngine();
  engine.skipAt = new Set([2, 3]);
  const run = options(engine, initialTrainerState(1));
  await runTrainingLoop(run);
  t.is(run.state.skipped_steps, 2);
  t.is(run.state.scheduler_steps, 8);
  t.is(engine.calls[4]!.lr, learningRate(2, scheduleOf(config)), 'step 4 uses n = 2: two updates applied before it');

  const diverging = new FakeEngine();
  diverging.skipAt = new Set(Array.from({ length: 100 }, (_, i) => i));
  await t.throwsAsync(runTrainingLoop(options(diverging, initialTrainerState(1), { config: { ...config, train_iters: 100 } })), {
    message: `${MAX_CONSECUTIVE_SKIPS} consecutive updates were skipped (last at iteration ${MAX_CONSECUTIVE_SKIPS}: w is not finite); the run has diverged: lower the learning rate or resume from an earlier checkpoint`,
  });
});

test('an abort stops after the step in flight and saves', async (t) => {
  const engine = new FakeEngine();
  const controller = new AbortController();
  const run = options(engine, initialTrainerState(1), {
    signal: controller.signal,
    sinks: { train: (m) => { if (m.step === 5) controller.abort(); }, eval: () => {} },
  });
  const outcome = await runTrainingLoop(run);
  t.true(outcome.interrupted);
  t.is(run.state.iteration, 5);
  t.deepEqual(run.saved, [1, 3, 5]);
});

test('a checkpoint of another shape is refused naming the tensor and both shapes', (t) => {
  const saveDir = mkdtempSync(join(tmpdir(), 'neox-loop-'));
  const engine = new FakeEngine();
  saveEngineCheckpoint({ saveDir, engine, state: initialTrainerState(1), config: {}, topology, keepLast: null, tokenizerFiles: [] });
  const wider = new FakeEngine();
  wider.tensorInfo = () => [{ name: 'w', shape: [8], dtype: 'F32', kind: 'parameter' }];
  const error = t.throws(() => loadEngineCheckpoint(saveDir, wider, { finetune: false, noLoadOptim: false, step: null, seed: 1 }));
  t.regex(error!.message, /^tensor w has shape \[4\] in checkpoint .*global_step0 but \[8\] in this model; the configs do not match$/);
});
