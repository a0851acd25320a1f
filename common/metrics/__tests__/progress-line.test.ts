import test from 'ava';

import { evalMetrics } from '../metric-types';
import { MovingAverage } from '../moving-average';
import { formatDuration, formatEvalLine, formatExponential, formatProgressLine, formatThousands } from '../progress-line';

test('the progress line for the documented example', (t) => {
  // 880 steps left at 0.21818... s = 192 s = 3m12s.
  t.is(
    formatProgressLine({ step: 120, totalSteps: 1000, loss: 4.12344, learningRate: 6e-4, tokensPerSec: 2345.4, flopsPerSec: 1.234e12, averageStepTimeS: 192 / 880 }),
    'step 120/1000 | loss 4.1234 | lr 6.00e-04 | 2,345 tok/s | 1.2 TFLOP/s | ETA 3m12s',
  );
});

test('progress lines for other inputs', (t) => {
  const cases: [Parameters<typeof formatProgressLine>[0], string][] = [
    [{ step: 1, totalSteps: 143000, loss: 10.98766, learningRate: 6.993006993006994e-7, tokensPerSec: 1234567.8, flopsPerSec: 1.9e11, averageStepTimeS: null },
      'step 1/143000 | loss 10.9877 | lr 6.99e-07 | 1,234,568 tok/s | 190.0 GFLOP/s | ETA --'],
    [{ step: 50, totalSteps: 100, loss: Number.NaN, learningRate: 1e-3, tokensPerSec: 999.5, averageStepTimeS: 150 },
      'step 50/100 | loss nan | lr 1.00e-03 | 1,000 tok/s | ETA 2h05m'],
    [{ step: 10, totalSteps: 10, loss: 2, learningRate: 0, tokensPerSec: 12, flopsPerSec: 2.5e13, averageStepTimeS: 3 },
      'step 10/10 | loss 2.0000 | lr 0.00e+00 | 12 tok/s | 25.0 TFLOP/s | ETA 0s'],
    [{ step: 0, totalSteps: 1000000, loss: 3.25, learningRate: 1.5e-10, tokensPerSec: 0, averageStepTimeS: 1.2 },
      'step 0/1000000 | loss 3.2500 | lr 1.50e-10 | 0 tok/s | ETA 13d21h'],
  ];
  for (const [input, expected] of cases) t.is(formatProgressLine(input), expected);
});

test('durations, exponents and thousands format exactly', (t) => {
  t.deepEqual([0, 0.4, 45, 59.6, 60, 65, 3599, 3600, 7507, 86399, 86400, 1e7, -3, Number.NaN, null].map(formatDuration),
    ['0s', '0s', '45s', '1m00s', '1m00s', '1m05s', '59m59s', '1h00m', '2h05m', '23h59m', '1d00h', '115d17h', '0s', '--', '--']);
  t.deepEqual([6e-4, 1.5e-10, 123456, -2.5e-5, 9.999e-5, Number.POSITIVE_INFINITY].map((x) => formatExponential(x, 2)),
    ['6.00e-04', '1.50e-10', '1.23e+05', '-2.50e-05', '1.00e-04', 'inf']);
  t.deepEqual([0, 999, 1000, 12345.5, -1234567, Number.NaN].map(formatThousands), ['0', '999', '1,000', '12,346', '-1,234,567', 'nan']);
});

test('the eval line', (t) => {
  t.is(formatEvalLine(evalMetrics(1000, Math.log(24.78))), 'eval step 1000 | lm_loss 3.2100 | ppl 24.78');
});

test('the moving average covers the last `window` values', (t) => {
  const average = new MovingAverage(3);
  t.is(average.value, null);
  average.add(1);
  t.is(average.value, 1);
  average.add(2);
  average.add(3);
  t.is(average.value, 2);
  average.add(10); // drops the 1
  t.is(average.value, 5);
  t.throws(() => new MovingAverage(0), { message: /window 0 is not a positive integer/ });
});
