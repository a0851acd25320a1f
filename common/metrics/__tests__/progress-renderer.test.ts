import test from 'ava';

import { ConfigError } from '../../errors';
import { evalMetrics, TrainStepMetrics } from '../metric-types';
import { ProgressRenderer } from '../progress-renderer';

class Capture {
  text = '';
  constructor(readonly isTTY: boolean) {}
  write(s: string) {
    this.text += s;
    return true;
  }
}

const step = (n: number, stepTimeS = 2): TrainStepMetrics => ({ step: n, loss: 3, learningRate: 1e-3, stepTimeS, tokensPerSec: 1000, skipped: false });

test('on a TTY the line is redrawn in place and ETA follows the moving average of step times', (t) => {
  const stream = new Capture(true);
  const renderer = new ProgressRenderer({ stream, totalSteps: 100, logInterval: 10, averageWindow: 2 });
  renderer.writeTrain(step(1, 1));
  renderer.writeTrain(step(2, 3)); // average 2 s, 98 steps left
  renderer.writeTrain(step(3, 5)); // window 2: average 4 s, 97 steps left
  renderer.close();
  t.is(stream.text,
    '\rstep 1/100 | loss 3.0000 | lr 1.00e-03 | 1,000 tok/s | ETA 1m39s\x1b[K'
    + '\rstep 2/100 | loss 3.0000 | lr 1.00e-03 | 1,000 tok/s | ETA 3m16s\x1b[K'
    + '\rstep 3/100 | loss 3.0000 | lr 1.00e-03 | 1,000 tok/s | ETA 6m28s\x1b[K'
    + '\n');
});

test('without a TTY a full line is printed every log_interval steps and at the last step', (t) => {
  const stream = new Capture(false);
  const renderer = new ProgressRenderer({ stream, totalSteps: 7, logInterval: 3 });
  for (let n = 1; n <= 7; n++) renderer.writeTrain(step(n));
  renderer.writeEval(evalMetrics(7, 2));
  renderer.close();
  t.deepEqual(stream.text.split('\n'), [
    'step 3/7 | loss 3.0000 | lr 1.00e-03 | 1,000 tok/s | ETA 8s',
    'step 6/7 | loss 3.0000 | lr 1.00e-03 | 1,000 tok/s | ETA 2s',
    'step 7/7 | loss 3.0000 | lr 1.00e-03 | 1,000 tok/s | ETA 0s',
    'eval step 7 | lm_loss 2.0000 | ppl 7.39',
    '',
  ]);
});

test('an eval on a TTY starts below the progress line, which stays', (t) => {
  const stream = new Capture(true);
  const renderer = new ProgressRenderer({ stream, totalSteps: 10, logInterval: 5 });
  renderer.writeTrain(step(5));
  renderer.writeEval(evalMetrics(5, 2));
  renderer.close();
  t.is(stream.text, '\rstep 5/10 | loss 3.0000 | lr 1.00e-03 | 1,000 tok/s | ETA 10s\x1b[K\neval step 5 | lm_loss 2.0000 | ppl 7.39\n');
});

test('bad totals and intervals name the config key', (t) => {
  t.throws(() => new ProgressRenderer({ stream: new Capture(false), totalSteps: 0, logInterval: 1 }), { instanceOf: ConfigError, message: 'train_iters is 0; it must be a positive integer' });
  t.throws(() => new ProgressRenderer({ stream: new Capture(false), totalSteps: 5, logInterval: 2.5 }), { instanceOf: ConfigError, message: 'log_interval is 2.5; it must be a positive integer' });
});
