import test from 'ava';

import { learningRate, LearningRateSchedule, resolveDecayIters, warmupIters } from '../learning-rate';

// Values from docs/gpt-neox-reference.md §3.1 (Pythia-70M: lr 1e-3, min 1e-4, cosine, D 143000).
const pythia70m: LearningRateSchedule = { lr: 1e-3, min_lr: 1e-4, lr_decay_style: 'cosine', lr_decay_iters: 143000, warmup: 0.01 };

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));

test('cosine schedule matches the reference table', (t) => {
  t.is(warmupIters(pythia70m), 1430);
  const table: [number, number][] = [
    [0, 6.993006993006994e-7], [1, 6.993006993006994e-7], [2, 1.3986013986013987e-6], [715, 5.0e-4], [1430, 1.0e-3],
    [72215, 5.5e-4], [143000, 1.0e-4], [150000, 1.054182921467082e-4], [284570, 1.0e-3],
  ];
  for (const [n, expected] of table) t.true(close(learningRate(n, pythia70m), expected), `n=${n}: ${learningRate(n, pythia70m)} vs ${expected}`);
});

test('linear schedule decays to the floor and stays there', (t) => {
  const linear: LearningRateSchedule = { lr: 6e-4, min_lr: 6e-5, lr_decay_style: 'linear', lr_decay_iters: 100, warmup: 0.1 };
  for (const [n, expected] of [[0, 6e-5], [5, 3e-4], [10, 6e-4], [55, 3e-4], [100, 6e-5], [120, 6e-5]] as const) {
    t.true(close(learningRate(n, linear), expected), `n=${n}: ${learningRate(n, linear)} vs ${expected}`);
  }
});

test('exponential halves over the decay and constant stays at the peak', (t) => {
  const base = { lr: 1e-3, min_lr: 0, lr_decay_iters: 1000, warmup: 0 };
  t.true(close(learningRate(1000, { ...base, lr_decay_style: 'exponential' }), 1e-3 * Math.exp(-0.693)));
  t.is(learningRate(0, { ...base, lr_decay_style: 'exponential' }), 1e-3);
  t.is(learningRate(777, { ...base, lr_decay_style: 'constant' }), 1e-3);
  t.is(learningRate(777, { ...base, lr_decay_style: 'anything-else' }), 1e-3);
});

test('decay length follows lr_decay_iters, then lr_decay_fraction, then train_iters', (t) => {
  t.is(resolveDecayIters({ lr_decay_iters: 500, lr_decay_fraction: 0.5, train_iters: 2000 }), 500);
  t.is(resolveDecayIters({ lr_decay_iters: null, lr_decay_fraction: 0.33, train_iters: 1000 }), 330);
  t.is(resolveDecayIters({ lr_decay_iters: null, lr_decay_fraction: null, train_iters: 1000 }), 1000);
  t.is(resolveDecayIters({ lr_decay_iters: 0, lr_decay_fraction: null, train_iters: null }), 1);
  t.is(resolveDecayIters({ lr_decay_iters: null, lr_decay_fraction: null, train_iters: null }), null);
});
