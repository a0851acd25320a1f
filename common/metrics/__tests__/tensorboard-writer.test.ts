import test from 'ava';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { FileError } from '../../errors';
import { SinkClosedError, MetricInputError } from '../errors';
import { readEventFile } from '../event-file-reader';
import { TensorBoardWriter } from '../tensorboard-writer';

const freshDir = () => join(mkdtempSync(join(tmpdir(), 'neox-tb-')), 'tb');

test('the file is named events.out.tfevents.<seconds>.<host>.<pid>.<counter> and starts with brain.Event:2', (t) => {
  const dir = freshDir();
  const writer = new TensorBoardWriter(dir, { hostname: 'node7', clock: () => 1712345678.75 });
  const second = new TensorBoardWriter(dir, { hostname: 'node7', clock: () => 1712345678.75 });
  writer.close();
  second.close();
  t.regex(basename(writer.path), new RegExp(`^events\\.out\\.tfevents\\.1712345678\\.node7\\.${process.pid}\\.\\d+$`));
  t.not(writer.path, second.path);
  t.deepEqual(readdirSync(dir).sort(), [basename(writer.path), basename(second.path)].sort());
  t.deepEqual(readEventFile(writer.path), [{ wallTime: 1712345678.75, step: 0, fileVersion: 'brain.Event:2' }]);
});

test('scalars are buffered until close, which writes them all', (t) => {
  const writer = new TensorBoardWriter(freshDir(), { flushIntervalMs: 60_000 });
  const sizeAfterHeader = statSync(writer.path).size;
  writer.addScalars(3, [['train/lm_loss', 4.5], ['train/learning_rate', 6e-4]], 100.5);
  writer.addScalar('train/lm_loss', 4.25, 4, 101.5);
  t.is(statSync(writer.path).size, sizeAfterHeader, 'nothing written before a flush');
  writer.close();
  writer.close(); // second close is harmless
  const events = readEventFile(writer.path).slice(1);
  t.deepEqual(events, [
    { wallTime: 100.5, step: 3, scalars: [{ tag: 'train/lm_loss', simpleValue: 4.5 }, { tag: 'train/learning_rate', simpleValue: Math.fround(6e-4) }] },
    { wallTime: 101.5, step: 4, scalars: [{ tag: 'train/lm_loss', simpleValue: 4.25 }] },
  ]);
  t.throws(() => writer.addScalar('x', 1, 5), { instanceOf: SinkClosedError });
});

test('the timer flushes without close', async (t) => {
  const writer = new TensorBoardWriter(freshDir(), { flushIntervalMs: 20 });
  t.teardown(() => writer.close());
  writer.addScalar('train/lm_loss', 3, 1);
  await sleep(150);
  t.is(readEventFile(writer.path).length, 2);
});

test('a full buffer is written without waiting for the timer', (t) => {
  const writer = new TensorBoardWriter(freshDir(), { flushIntervalMs: 60_000, maxBufferedBytes: 200 });
  t.teardown(() => writer.close());
  for (let step = 1; step <= 10; step++) writer.addScalar('train/lm_loss', step, step);
  t.true(readEventFile(writer.path).length > 2);
});

test('bad tags and steps are refused with the fix in the message', (t) => {
  const writer = new TensorBoardWriter(freshDir());
  t.teardown(() => writer.close());
  t.throws(() => writer.addScalar('', 1, 1), { instanceOf: MetricInputError, message: /tag "" at step 1 is empty/ });
  t.throws(() => writer.addScalar('a', 1, 1.5), { instanceOf: MetricInputError, message: /step 1.5 is not a non-negative integer/ });
  t.throws(() => writer.addScalar('a', 1, -1), { instanceOf: MetricInputError });
});

test('an unwritable directory fails at construction naming tensorboard_dir', (t) => {
  const parent = mkdtempSync(join(tmpdir(), 'neox-tb-'));
  writeFileSync(join(parent, 'file'), 'not a directory');
  const error = t.throws(() => new TensorBoardWriter(join(parent, 'file', 'tb')), { instanceOf: FileError });
  t.regex(error!.message, /cannot create a TensorBoard event file in .*file\/tb \(.*ENOTDIR.*\); set tensorboard_dir to a writable directory/);
});
