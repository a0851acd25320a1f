/**
 * `neox train` as a user runs it: output, metrics files, Ctrl-C with a resumable checkpoint, and a
 * process killed in the middle of writing a checkpoint.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { Checkpoint } from '../../common/checkpoint';
import { packageRoot } from '../../common/paths';
import { createRunFixture } from '../../node/actor/__tests__/run-fixture';
import { venvPython } from '../oracle/python';
import { neox, startTrain } from './train-process';

test('neox train prints the model, progress, evaluation and a summary, and writes metrics and TensorBoard files', (t) => {
  const fixture = createRunFixture();
  try {
    const runs = join(fixture.dir, 'runs');
    const sampleFlags = ['--set', 'sample_prompt=the sun', '--set', 'maximum_tokens=12', '--set', 'temperature=0.8'];
    const { code, stdout, stderr } = neox(['train', fixture.configFile, '--set', `log_dir=${runs}`, '--set', `tensorboard_dir=${runs}/tb`, '--set', `save=${fixture.dir}/ckpt`, ...sampleFlags]);
    t.is(code, 0, stderr);
    t.regex(stdout, /^preprocessed 60 documents \(\d[\d,]* tokens\) into .*corpus_text_document\.bin\/\.idx$/m);
    t.regex(stdout, /^model: 0\.\d+M parameters \(2 layers, hidden 64, 4 heads, seq 32\), CharLevelTokenizer, batch 4×32 tokens, 1 thread$/m);
    t.regex(stdout, /^step 8\/8 \| loss \d\.\d{4} \| lr \d\.\d\de-0\d \|/m);
    t.regex(stdout, /^eval step 8 \| lm_loss \d\.\d{4} \| ppl /m);
    const summary = /^trained iterations 0 → 8 of 8 in [\d.]+ s \([\d,]+ tokens\/s\); loss (\d\.\d{4}) → (\d\.\d{4})$/m.exec(stdout);
    t.truthy(summary, stdout);
    t.true(Number(summary![2]) < Number(summary![1]), 'the loss falls');
    t.regex(stdout, new RegExp(`^checkpoint: ${fixture.dir}/ckpt/global_step8$`, 'm'));

    // TensorBoard's own reader (Python package in .venv) reads the run's event file back.
    const read = spawnSync(venvPython(), [join(packageRoot(), 'test', 'metrics', 'read_events.py'), 'scalars', join(runs, 'tb')], { encoding: 'utf8' });
    t.is(read.status, 0, read.stderr);
    const scalars = (JSON.parse(read.stdout) as { scalars: Record<string, [number, number, number][]> }).scalars;
    const lossTag = Object.keys(scalars).find((tag) => /train.*lm_loss|lm_loss.*train/.test(tag));
    t.truthy(lossTag, Object.keys(scalars).join(' '));
    t.deepEqual(scalars[lossTag!]!.map(([step]) => step), [1, 2, 3, 4, 5, 6, 7, 8]);
    t.true(Math.abs(scalars[lossTag!]![7]![1] - Number(summary![2])) <= 0.5e-4, 'the last logged loss is the one the summary prints');
    const jsonl = readFileSync(join(runs, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; step: number });
    t.deepEqual(jsonl.filter((r) => r.kind === 'train').map((r) => r.step), [1, 2, 3, 4, 5, 6, 7, 8]);
    const events = readFileSync(join(runs, 'neox.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { msg: string; name: string });
    t.deepEqual(events.map((e) => e.msg), ['run starting', 'preprocessed raw input', 'engine created', ...Array(4).fill('evaluation'), 'checkpoint saved', 'run finished']);
    t.true(events.every((e) => e.name === 'actor'));

    const sample = /^sample \(prompt "the sun", (\d+) tokens, temperature 0\.8\):\n(the sun.*)$/m.exec(stdout);
    t.truthy(sample, stdout);
    t.true(Number(sample![1]) <= 12);

    const again = neox(['train', fixture.configFile, '--set', `save=${fixture.dir}/ckpt`, '--set', `load=${fixture.dir}/ckpt`, ...sampleFlags]);
    t.is(again.code, 0, again.stderr);
    t.true(again.stdout.includes(sample![0]), 'the same checkpoint and seed give the same sample');
    t.regex(again.stdout, /^resumed from .*global_step8 at iteration 8$/m);
    t.regex(again.stdout, /^nothing to train: the checkpoint is already at iteration 8 of train_iters 8$/m);
  } finally {
    rmSync(fixture.dir, { recursive: true, force: true });
  }
});

test('neox train refuses bad flags and configs in one line', (t) => {
  t.regex(neox(['train']).stderr, /^neox: error: neox train needs at least one config file/);
  const fixture = createRunFixture();
  try {
    const threads = neox(['train', fixture.configFile, '--threads', 'many']);
    t.is(threads.code, 2);
    t.regex(threads.stderr, /^neox: error: --threads expects a whole number of CPU threads \(0 = all cores\), got 'many'/);
    const layout = neox(['train', fixture.configFile, '--set', 'model_parallel_size=2', '--set', 'num_attention_heads=4']);
    t.is(layout.code, 1);
    t.is(layout.stderr.trim().split('\n').length, 1, layout.stderr);
  } finally {
    rmSync(fixture.dir, { recursive: true, force: true });
  }
});

test('Ctrl-C stops after the step in flight, saves, exits 130, and the next run resumes there', async (t) => {
  const fixture = createRunFixture({ train_iters: 40, lr_decay_iters: 40, eval_interval: null });
  try {
    const ckpt = join(fixture.dir, 'ckpt');
    const flags = [fixture.configFile, '--set', `save=${ckpt}`, '--set', `load=${ckpt}`];
    let sent = false;
    const first = await startTrain(flags, (out, child) => {
      if (!sent && /^step 3\//m.test(out)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    t.is(first.code, 130, first.stderr);
    t.regex(first.stderr, /SIGINT: stopping after the current step/);
    const stoppedAt = Number(/^stopped iterations 0 → (\d+) of 40/m.exec(first.stdout)?.[1]);
    t.true(stoppedAt >= 3 && stoppedAt < 40, first.stdout);
    t.is(readFileSync(join(ckpt, 'latest'), 'utf8').trim(), `global_step${stoppedAt}`);

    const second = await startTrain(flags, () => {});
    t.is(second.code, 0, second.stderr);
    t.regex(second.stdout, new RegExp(`^resumed from .*global_step${stoppedAt} at iteration ${stoppedAt}$`, 'm'));
    t.regex(second.stdout, new RegExp(`^trained iterations ${stoppedAt} → 40 of 40 `, 'm'));
  } finally {
    rmSync(fixture.dir, { recursive: true, force: true });
  }
});

test('a process killed while writing a checkpoint leaves the previous one loadable and latest pointing at it', async (t) => {
  // A wider model so that each save takes long enough to be caught in the act.
  const fixture = createRunFixture({
    train_iters: 30, lr_decay_iters: 30, eval_interval: null, checkpoint_factor: 1, hidden_size: 256, num_attention_heads: 8,
  });
  try {
    const ckpt = join(fixture.dir, 'ckpt');
    let killedDuring: string | null = null;
    const run = startTrain([fixture.configFile, '--set', `save=${ckpt}`, '--set', `load=${ckpt}`], () => {});
    // Watch the save directory until a checkpoint is being written after at least one committed one.
    await new Promise<void>((done) => {
      const watch = () => {
        const entries = existsSync(ckpt) ? readdirSync(ckpt) : [];
        const writing = entries.find((e) => e.startsWith('.tmp-'));
        if (writing && entries.includes('latest')) {
          killedDuring = writing;
          run.child.kill('SIGKILL');
          done();
        } else setImmediate(watch);
      };
      watch();
    });
    const result = await run;
    t.is(result.signal, 'SIGKILL');
    t.truthy(killedDuring);
    const latest = readFileSync(join(ckpt, 'latest'), 'utf8').trim();
    t.not(`${latest}-`, killedDuring!.slice('.tmp-'.length, '.tmp-'.length + latest.length + 1), 'latest names an older, committed checkpoint');
    const checkpoint = Checkpoint.open(ckpt); // verifies every checksum
    t.is(`global_step${checkpoint.step}`, latest);
    checkpoint.close();

    const resumed = await startTrain([fixture.configFile, '--set', `save=${ckpt}`, '--set', `load=${ckpt}`, '--set', 'checkpoint_factor=1000'], () => {});
    t.is(resumed.code, 0, resumed.stderr);
    t.regex(resumed.stdout, new RegExp(`^resumed from .*${latest} at iteration ${latest.slice('global_step'.length)}$`, 'm'));
    t.false(readdirSync(ckpt).some((e) => e.startsWith('.tmp-')), 'the stale temporary directory is cleaned up');
  } finally {
    rmSync(fixture.dir, { recursive: true, force: true });
  }
});
