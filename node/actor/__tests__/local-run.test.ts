/**
 * Whole runs on the native engine (runLocal): exact resume, checksums on load, refusals before
 * training starts. The CLI's own behaviour (signals, kill during save) is in test/cli/train.test.ts.
 */
import test from 'ava';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ConsoleStream } from '../../../common/metrics';
import { readMetricsFile } from '../../../common/metrics';
import { runLocal, type LocalRunResult } from '../local-run';
import { createRunFixture, type RunFixture } from './run-fixture';

const quiet: ConsoleStream = { write: () => true };

/** A console that stops the run (like Ctrl-C) once it reports step `step`. */
function stopAfter(step: number, controller: AbortController): ConsoleStream {
  return {
    write(text: string) {
      const match = /^step (\d+)\//m.exec(text);
      if (match && Number(match[1]) >= step) controller.abort();
      return true;
    },
  };
}

async function run(fixture: RunFixture, overrides: Record<string, unknown>, stopAt: number | null = null): Promise<LocalRunResult> {
  const controller = new AbortController();
  return runLocal({
    config: fixture.config(overrides), threads: null, signal: controller.signal,
    console: stopAt === null ? quiet : stopAfter(stopAt, controller),
  });
}

function tensorsOf(result: LocalRunResult): Map<string, Buffer> {
  const tensors = new Map<string, Buffer>();
  for (const info of result.engine.tensorInfo()) tensors.set(info.name, Buffer.from(result.engine.getTensor(info.name).buffer));
  return tensors;
}

function metricRows(file: string): string[] {
  return readMetricsFile(file).records.map((r) => `${r.kind} ${r.step} ${r.lm_loss} ${r.grad_norm ?? ''} ${r.learning_rate ?? ''}`);
}

test('a run stopped and resumed twice (GAS 2, dropout, evaluation) equals the uninterrupted run bit for bit', async (t) => {
  const fixture = createRunFixture();
  try {
    const straight = await run(fixture, { log_dir: join(fixture.dir, 'straight') });
    const expectedTensors = tensorsOf(straight);
    straight.engine.close();
    t.is(straight.outcome.losses.length, 8);
    t.true(straight.outcome.losses[7]! < straight.outcome.losses[0]!, 'the loss falls');

    const resumed = { save: join(fixture.dir, 'ckpt'), load: join(fixture.dir, 'ckpt'), log_dir: join(fixture.dir, 'pieces') };
    const losses: number[] = [];
    for (const stopAt of [3, 5, null]) {
      const piece = await run(fixture, resumed, stopAt);
      losses.push(...piece.outcome.losses);
      t.is(piece.outcome.interrupted, stopAt !== null);
      t.is(piece.state.iteration, stopAt ?? 8);
      if (stopAt === null) t.deepEqual(tensorsOf(piece), expectedTensors, 'weights and AdamW moments are bitwise equal');
      piece.engine.close();
    }
    t.deepEqual(losses, straight.outcome.losses);
    t.deepEqual(metricRows(join(fixture.dir, 'pieces', 'metrics.jsonl')), metricRows(join(fixture.dir, 'straight', 'metrics.jsonl')),
      'train loss, grad norm, learning rate and every evaluation loss match');
  } finally {
    rmSync(fixture.dir, { recursive: true, force: true });
  }
});

test('a corrupted shard is detected on load and named', async (t) => {
  const fixture = createRunFixture({ train_iters: 2, lr_decay_iters: 2, eval_interval: null });
  try {
    const save = join(fixture.dir, 'ckpt');
    (await run(fixture, { save })).engine.close();
    const shard = join(save, 'global_step2', 'rank_00000.safetensors');
    const bytes = readFileSync(shard);
    bytes[bytes.length - 3] ^= 0x40;
    writeFileSync(shard, bytes);
    const error = await t.throwsAsync(run(fixture, { load: save }));
    t.is(error?.message, `checkpoint file ${shard} fails its SHA-256 check: it is corrupted`);
  } finally {
    rmSync(fixture.dir, { recursive: true, force: true });
  }
});

test('a checkpoint manifest records the trainer state, schedule position, RNG keying, config and topology', async (t) => {
  const fixture = createRunFixture({ train_iters: 3, lr_decay_iters: 3, eval_interval: null });
  try {
    const save = join(fixture.dir, 'ckpt');
    (await run(fixture, { save })).engine.close();
    const manifest = JSON.parse(readFileSync(join(save, 'global_step3', 'manifest.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    t.like(manifest.trainer_state, {
      iteration: 3, consumed_train_samples: 12, scheduler_steps: 3, optimizer_step: 3, skipped_steps: 0, seed: 7,
      lr_decay_style: 'cosine', lr_decay_iters: 3, learning_rate: 0.0003, loss_scale: null, rng: { seed: 7 },
    });
    t.like(manifest.config, { hidden_size: 64, seq_length: 32, train_iters: 3, save });
    t.deepEqual(manifest.topology, { world_size: 1, data_parallel_size: 1, model_parallel_size: 1, pipe_parallel_size: 1, zero_stage: 0 });
  } finally {
    rmSync(fixture.dir, { recursive: true, force: true });
  }
});

test('loading a checkpoint of another shape names the first mismatched tensor and both shapes', async (t) => {
  const fixture = createRunFixture({ train_iters: 1, lr_decay_iters: 1, eval_interval: null });
  try {
    const save = join(fixture.dir, 'ckpt');
    (await run(fixture, { save })).engine.close();
    const error = await t.throwsAsync(run(fixture, { load: save, hidden_size: 128 }));
    t.regex(error!.message, /^tensor \S+ has shape \[\d+(,\d+)*\] in checkpoint .*global_step1 but \[\d+(,\d+)*\] in this model; the configs do not match$/);
  } finally {
    rmSync(fixture.dir, { recursive: true, force: true });
  }
});

test('finetune loads the weights only and starts at iteration 0', async (t) => {
  const fixture = createRunFixture({ train_iters: 2, lr_decay_iters: 2, eval_interval: null });
  try {
    const save = join(fixture.dir, 'ckpt');
    const first = await run(fixture, { save });
    const trained = first.engine.getTensor('layers.0.attention.dense.weight');
    first.engine.close();
    const tuned = await run(fixture, { load: save, finetune: true, train_iters: 1, lr_decay_iters: 1 });
    t.is(tuned.startIteration, 0);
    t.is(tuned.state.iteration, 1);
    t.not(tuned.outcome.losses[0], first.outcome.losses[0], 'training starts from the loaded weights, not a fresh init');
    t.notDeepEqual(tuned.engine.getTensor('layers.0.attention.dense.weight'), trained);
    tuned.engine.close();
  } finally {
    rmSync(fixture.dir, { recursive: true, force: true });
  }
});

test('missing data, an empty dataset and a too long sequence are refused before training', async (t) => {
  const fixture = createRunFixture();
  try {
    const noData = await t.throwsAsync(run(fixture, { 'data_preprocess.input': '', data_path: join(fixture.dir, 'nowhere_text_document') }));
    t.regex(noData!.message, /^dataset .*nowhere_text_document\.bin\/\.idx does not exist; create it with "neox preprocess/);

    writeFileSync(join(fixture.dir, 'raw', 'empty.jsonl'), '\n\n');
    const empty = await t.throwsAsync(run(fixture, {
      'data_preprocess.input': join(fixture.dir, 'raw', 'empty.jsonl'), data_path: join(fixture.dir, 'data', 'empty_text_document'),
    }));
    t.regex(empty!.message, /seq_length|no samples|too few tokens/i);

    const tooLong = await t.throwsAsync(run(fixture, { seq_length: 64 }));
    t.regex(tooLong!.message, /max_position_embeddings 32 is smaller than seq_length 64/);
    t.false(readdirSync(fixture.dir).includes('ckpt'));
  } finally {
    rmSync(fixture.dir, { recursive: true, force: true });
  }
});
