import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { FileError } from '../../errors';
import { readEventFile } from '../event-file-reader';
import { decodeEvent, encodeEvent } from '../event-proto';
import { frameRecord, parseRecords, RECORD_OVERHEAD } from '../tfrecord';

const payloads = [Buffer.from('first'), Buffer.alloc(0), Buffer.from('x'.repeat(300))];

test('records frame as length, masked CRC, data, masked CRC and parse back', (t) => {
  const framed = frameRecord(Buffer.from('123456789'));
  t.is(framed.length, 9 + RECORD_OVERHEAD);
  t.is(framed.readBigUInt64LE(0), 9n);
  t.is(framed.readUInt32LE(12 + 9), 0xc78ab0e5); // masked CRC-32C of "123456789"
  const file = Buffer.concat(payloads.map(frameRecord));
  t.deepEqual(parseRecords(file, 'mem').map((r) => r.toString()), payloads.map((p) => p.toString()));
});

function damaged(mutate: (file: Buffer) => Buffer): string {
  const file = Buffer.concat(payloads.map(frameRecord));
  try {
    parseRecords(mutate(Buffer.from(file)), 'f.tfevents');
  } catch (error) {
    if (error instanceof FileError) return error.message;
    throw error;
  }
  return 'no error';
}

test('a flipped data byte, a flipped length byte and a truncated tail are each detected with their offset', (t) => {
  const second = 5 + RECORD_OVERHEAD; // offset of the second record
  const third = second + RECORD_OVERHEAD;
  t.regex(damaged((f) => { f[12 + 2] ^= 0x01; return f; }), /data checksum mismatch in the record at byte 0;.*truncate it to 0 bytes/);
  t.regex(damaged((f) => { f[third] ^= 0x80; return f; }), new RegExp(`length checksum mismatch in the record at byte ${third};`));
  t.regex(damaged((f) => f.subarray(0, f.length - 1)), new RegExp(`truncated data \\(300 bytes announced\\) in the record at byte ${third};`));
  t.regex(damaged((f) => f.subarray(0, third + 5)), new RegExp(`truncated length header in the record at byte ${third};`));
});

test('Event messages round-trip through protobufjs with float32 simple values', (t) => {
  const event = decodeEvent(encodeEvent({ wallTime: 1712345678.25, step: 2 ** 40, scalars: [{ tag: 'train/lm_loss', simpleValue: 0.1 }] }));
  t.deepEqual(event, { wallTime: 1712345678.25, step: 2 ** 40, scalars: [{ tag: 'train/lm_loss', simpleValue: Math.fround(0.1) }] });
  t.deepEqual(decodeEvent(encodeEvent({ wallTime: 1, step: 0, fileVersion: 'brain.Event:2' })), { wallTime: 1, step: 0, fileVersion: 'brain.Event:2' });
});

test('readEventFile rejects a corrupted event file', (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'neox-tfr-')), 'events.out.tfevents.1.h.1.0');
  writeFileSync(path, Buffer.concat([frameRecord(encodeEvent({ wallTime: 1, step: 0, fileVersion: 'brain.Event:2' })), frameRecord(encodeEvent({ wallTime: 2, step: 1, scalars: [{ tag: 'a', simpleValue: 1 }] }))]));
  t.is(readEventFile(path).length, 2);
  const bytes = readFileSync(path);
  bytes[bytes.length - 6] ^= 0xff;
  writeFileSync(path, bytes);
  const error = t.throws(() => readEventFile(path), { instanceOf: FileError });
  t.regex(error!.message, /data checksum mismatch/);
});
