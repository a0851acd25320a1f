/**
 * `neox train --world-size N`: the run as N rank processes on this machine. At the same global
 * batch (8 rows: micro-batch 2 × 4 accumulation steps, or × 2 steps × 2 replicas) with hidden and attention dropout, data parallel (2,1,1), tensor
 * parallel (1,2,1) and pipeline parallel (1,1,2) runs log the losses and evaluation losses of the
 * in-process run within 1e-5; a checkpoint saved by two pipeline stages resumes in one process
 * with the uninterrupted run's losses; Ctrl-C makes every rank stop at the same step and save.
 */
import test from 'ava';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { Checkpoint } from '../../common/checkpoint';
import { createRunFixture, type RunFixture } from '../../node/actor/__tests__/run-fixture';
import { neox, startTrain } from './train-process';

interface Row {
  kind: 'train' | 'eval';
  step: number;
  lm_loss: number;
}

const fixture: RunFixture = createRunFixture({
  gradient_accumulation_steps: 4, train_iters: 6, lr_decay_iters: 6, eval_interval: 3, eval_iters: 1,
});
test.after.always(() => rmSync(fixture.dir, { recursive: true, force: true }));

/** Trains with these flags, logging to a directory of its own; returns the metrics rows and the output. */
function train(name: string, flags: string[]): { rows: Row[]; stdout: string } {
  const logDir = join(fixture.dir, 'runs', name);
  const { code, stdout, stderr } = neox(['train', fixture.configFile, '--set', `log_dir=${logDir}`, ...flags]);
  if (code !== 0) throw new Error(`neox train ${flags.join(' ')} exited with ${code}: ${stderr}`);
  const rows = readFileSync(join(logDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);
  return { rows, stdout };
}

const single = (async () => train('single', []))();

function assertSameLosses(t: import('ava').ExecutionContext, got: Row[], expected: Row[]): void {
  t.deepEqual(got.map((r) => [r.kind, r.step]), expected.map((r) => [r.kind, r.step]));
  got.forEach((row, i) => {
    const want = expected[i]!.lm_loss;
    t.true(Math.abs(row.lm_loss - want) <= 1e-5 * Math.abs(want), `${row.kind} step ${row.step}: ${row.lm_loss} vs ${want}`);
  });
}

const LAYOUTS: [string, string[], RegExp][] = [
  ['dp 2', ['--world-size', '2', '--set', 'gradient_accumulation_steps=2'], /2 processes \(dp 2 × tp 1 × pp 1\) × 1 thread/],
  ['tp 2', ['--world-size', '2', '--set', 'model_parallel_size=2'], /parameters on rank 0 .*2 processes \(dp 1 × tp 2 × pp 1\)/],
  ['pp 2', ['--world-size', '2', '--set', 'pipe_parallel_size=2'], /2 processes \(dp 1 × tp 1 × pp 2\)/],
];

for (const [name, flags, description] of LAYOUTS) {
  test.serial(`${name}: the same training and evaluation losses as one process, printed once`, async (t) => {
    const expected = (await single).rows;
    t.is(expected.filter((r) => r.kind === 'eval').length, 2);
    const { rows, stdout } = train(name.replace(' ', ''), [...flags, '--threads', '1']);
    assertSameLosses(t, rows, expected);
    t.regex(stdout, description);
    t.is(stdout.match(/^step 6\/6 /gm)?.length, 1, 'only rank 0 prints');
  });
}

test.serial('a checkpoint of two pipeline stages resumes in one process with the uninterrupted losses', async (t) => {
  const expected = (await single).rows;
  const ckpt = join(fixture.dir, 'ckpt-pp');
  const saveFlags = ['--set', `save=${ckpt}`, '--set', `load=${ckpt}`];
  train('pp-first-half', ['--world-size', '2', '--set', 'pipe_parallel_size=2', '--set', 'train_iters=3', ...saveFlags]);
  const checkpoint = Checkpoint.open(ckpt);
  t.is(checkpoint.step, 3);
  t.is(checkpoint.manifest.topology.pipe_parallel_size, 2);
  checkpoint.close();
  const { rows, stdout } = train('resumed', saveFlags);
  t.regex(stdout, /^resumed from .*global_step3 at iteration 3$/m);
  assertSameLosses(t, rows, expected.filter((r) => r.step > 3));
});

test.serial('Ctrl-C stops every rank at the same step, saves once, exits 130; the run resumes there', async (t) => {
  const ckpt = join(fixture.dir, 'ckpt-stop');
  const flags = [fixture.configFile, '--world-size', '2', '--set', 'gradient_accumulation_steps=2', '--set', 'train_iters=200', '--set', 'lr_decay_iters=200', '--set', 'eval_interval=null',
    '--set', `save=${ckpt}`, '--set', `load=${ckpt}`];
  let sent = false;
  const first = await startTrain(flags, (out, child) => {
    if (!sent && /^step 2\//m.test(out)) {
      sent = true;
      child.kill('SIGINT'); // the parent alone, as `kill -INT`: it forwards the request to the ranks
    }
  });
  t.is(first.code, 130, first.stderr);
  t.regex(first.stderr, /SIGINT: stopping after the current step/);
  const stoppedAt = Number(/^stopped iterations 0 → (\d+) of 200/m.exec(first.stdout)?.[1]);
  t.true(stoppedAt >= 2 && stoppedAt < 200, first.stdout);
  const checkpoint = Checkpoint.open(ckpt);
  t.is(checkpoint.step, stoppedAt);
  t.is(checkpoint.manifest.topology.world_size, 2);
  t.is((checkpoint.manifest.trainer_state as { iteration: number }).iteration, stoppedAt);
  checkpoint.close();

  const second = await startTrain([...flags, '--set', `train_iters=${stoppedAt + 2}`], () => {});
  t.is(second.code, 0, second.stderr);
  t.regex(second.stdout, new RegExp(`^resumed from .*global_step${stoppedAt} at iteration ${stoppedAt}$`, 'm'));
  t.regex(second.stdout, new RegExp(`^trained iterations ${stoppedAt} → ${stoppedAt + 2} of ${stoppedAt + 2} `, 'm'));
});

test('--world-size is checked: a whole number, and a world the layout divides', (t) => {
  const bad = neox(['train', fixture.configFile, '--world-size', 'two']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /^neox: error: --world-size expects a whole number of rank processes >= 1, got 'two'/);
  const odd = neox(['train', fixture.configFile, '--world-size', '3', '--set', 'model_parallel_size=2']);
  t.is(odd.code, 1);
  t.regex(odd.stderr, /world size 3 .* is not divisible by pipeline stages 1 x model_parallel_size 2/);
});

/** The fields of /proc/<pid>/stat after the command name (state, parent pid, …); null once the process is gone. */
function procStat(pid: number | string): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Processes whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry) && Number(procStat(entry)?.[1]) === pid).map(Number);
}

/** The process exists and is not a zombie. */
const isAlive = (pid: number) => {
  const state = procStat(pid)?.[0];
  return state !== undefined && state !== 'Z';
};

test.serial('ranks exit when the launching process is killed', async (t) => {
  const flags = [fixture.configFile, '--world-size', '2', '--set', 'gradient_accumulation_steps=2', '--set', 'train_iters=100000', '--set', 'lr_decay_iters=100000', '--set', 'eval_interval=null'];
  let ranks: number[] = [];
  const run = await startTrain(flags, (out, child) => {
    if (ranks.length === 0 && /^step 2\//m.test(out)) {
      ranks = childrenOf(child.pid!);
      child.kill('SIGKILL');
    }
  });
  t.is(run.signal, 'SIGKILL');
  t.is(ranks.length, 2);
  const deadline = Date.now() + 10_000;
  while (ranks.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  t.deepEqual(ranks.filter(isAlive), []);
});
