import test from 'ava';
import { mkdtempSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { dtypeForVocab } from '../dtypes';
import { IndexedDataset } from '../indexed-dataset';
import { IndexedDatasetWriter } from '../indexed-dataset-writer';

const tmp = () => mkdtempSync(join(tmpdir(), 'neox-idx-'));
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// docs/gpt-neox-reference.md §4.2: documents [1,2,3] and [4,5] in uint16.
const WORKED_IDX = hex(`
  4d4d49444944580000 0100000000000000 08 0200000000000000 0300000000000000
  03000000 02000000
  0000000000000000 0600000000000000
  0000000000000000 0100000000000000 0200000000000000`);
const WORKED_BIN = hex('01000200030004000500');

function writeWorked(prefix: string): void {
  const writer = new IndexedDatasetWriter(prefix, 'uint16');
  writer.addDocument([1, 2, 3]);
  writer.addDocument([4, 5]);
  writer.finish();
}

test('the writer produces the reference\'s 82-byte .idx and 10-byte .bin', (t) => {
  const prefix = join(tmp(), 'worked');
  writeWorked(prefix);
  t.is(WORKED_IDX.length, 82);
  t.deepEqual(readFileSync(`${prefix}.idx`), WORKED_IDX);
  t.deepEqual(readFileSync(`${prefix}.bin`), WORKED_BIN);
});

test('the writer leaves only the two outputs behind', (t) => {
  const dir = tmp();
  writeWorked(join(dir, 'worked'));
  t.deepEqual(readdirSync(dir).sort(), ['worked.bin', 'worked.idx']);
});

test('the reader returns documents, sizes, pointers and doc_idx, resident or paged', (t) => {
  const prefix = join(tmp(), 'worked');
  writeWorked(prefix);
  for (const residentLimit of [1 << 20, 0]) {
    const ds = IndexedDataset.open(prefix, { residentLimit });
    t.is(ds.format, 'mmap');
    t.is(ds.dtype, 'uint16');
    t.is(ds.length, 2);
    t.is(ds.documentCount, 2);
    t.deepEqual(Array.from(ds.sizes), [3, 2]);
    t.deepEqual([ds.pointer(0), ds.pointer(1)], [0, 6]);
    t.deepEqual([0, 1, 2].map((i) => ds.docIdx.get(i)), [0, 1, 2]);
    t.deepEqual(Array.from(ds.read(0)), [1, 2, 3]);
    t.deepEqual(Array.from(ds.read(1)), [4, 5]);
    t.deepEqual(Array.from(ds.read(0, 1, 2)), [2, 3]);
    t.is(ds.totalTokens(), 5);
    ds.close();
  }
});

test('int32 datasets round-trip large ids; a writer refuses ids its dtype cannot hold', (t) => {
  const prefix = join(tmp(), 'wide');
  const writer = new IndexedDatasetWriter(prefix, 'int32');
  writer.addDocument([0, 65535, 65536, 200000]);
  writer.finish();
  const ds = IndexedDataset.open(prefix);
  t.is(ds.dtype, 'int32');
  t.deepEqual(Array.from(ds.read(0)), [0, 65535, 65536, 200000]);
  ds.close();
  const narrow = new IndexedDatasetWriter(join(tmp(), 'narrow'), 'uint16');
  t.throws(() => narrow.addDocument([70000]), { message: /token id 70000 does not fit the dataset dtype uint16/ });
  narrow.abort();
});

test('dtype follows GPT-NeoX: uint16 below 65500 tokens of vocabulary, else int32', (t) => {
  t.is(dtypeForVocab(50277), 'uint16');
  t.is(dtypeForVocab(65499), 'uint16');
  t.is(dtypeForVocab(65500), 'int32');
  t.is(dtypeForVocab(100277), 'int32');
});

test('abort removes temporary files and keeps existing outputs', (t) => {
  const dir = tmp();
  const prefix = join(dir, 'keep');
  writeWorked(prefix);
  const writer = new IndexedDatasetWriter(prefix, 'uint16');
  writer.addDocument([9, 9, 9]);
  writer.abort();
  t.deepEqual(readdirSync(dir).sort(), ['keep.bin', 'keep.idx']);
  t.deepEqual(readFileSync(`${prefix}.idx`), WORKED_IDX);
});

function corrupt(edit: (idx: Buffer) => Buffer): string {
  const prefix = join(tmp(), 'bad');
  writeWorked(prefix);
  writeFileSync(`${prefix}.idx`, edit(Buffer.from(WORKED_IDX)));
  return prefix;
}

test('a truncated .idx is reported with the header arithmetic', (t) => {
  const prefix = corrupt((b) => b.subarray(0, 60));
  t.throws(() => IndexedDataset.open(prefix), {
    message: `${prefix}.idx is truncated: header says 2 items and 3 doc_idx entries (34+12·2+8·3 = 82 bytes) but the file has 60 bytes; re-run neox preprocess`,
  });
});

test('a .idx shorter than its header is reported', (t) => {
  const prefix = corrupt((b) => b.subarray(0, 20));
  t.throws(() => IndexedDataset.open(prefix), {
    message: `${prefix}.idx is truncated: 20 bytes, shorter than the 34-byte header; re-run neox preprocess`,
  });
});

test('a foreign file is reported by its magic', (t) => {
  const prefix = corrupt(() => Buffer.from('{"text": "not an index"}\n'));
  t.throws(() => IndexedDataset.open(prefix), {
    message: `${prefix}.idx is not a Megatron indexed-dataset index: it starts with "{\\"text\\": ", not "MMIDIDX\\u0000\\u0000" or "TNTIDX\\u0000\\u0000"; pass the prefix of a file written by neox preprocess or GPT-NeoX`,
  });
});

test('a wrong version is reported', (t) => {
  const prefix = corrupt((b) => {
    b.writeBigUInt64LE(2n, 9);
    return b;
  });
  t.throws(() => IndexedDataset.open(prefix), { message: `${prefix}.idx has index version 2; only version 1 is supported` });
});

test('unknown and non-integer dtype codes are reported', (t) => {
  const unknown = corrupt((b) => {
    b[17] = 9;
    return b;
  });
  t.throws(() => IndexedDataset.open(unknown), {
    message: `${unknown}.idx has unknown dtype code 9; expected 1-5 or 8 (uint8, int8, int16, int32, int64, uint16)`,
  });
  const float = corrupt((b) => {
    b[17] = 6;
    return b;
  });
  t.throws(() => IndexedDataset.open(float), {
    message: `${float}.idx has dtype code 6 (float32), which cannot hold token ids; expected 1-5 or 8`,
  });
});

test('a truncated or foreign .bin and a missing file are reported', (t) => {
  const prefix = join(tmp(), 'short');
  writeWorked(prefix);
  truncateSync(`${prefix}.bin`, 7);
  t.throws(() => IndexedDataset.open(prefix), {
    message: `${prefix}.bin has 7 bytes but ${prefix}.idx needs 10 (its last item ends there); the .bin is truncated or belongs to another .idx, re-run neox preprocess`,
  });
  writeFileSync(`${prefix}.bin`, Buffer.alloc(12));
  t.throws(() => IndexedDataset.open(prefix), {
    message: `${prefix}.bin has 12 bytes but ${prefix}.idx describes only 10; the two files do not belong together, re-run neox preprocess`,
  });
  const missing = join(tmp(), 'nothing');
  t.throws(() => IndexedDataset.open(missing), {
    message: `${missing}.idx does not exist; check the data path prefix "${missing}" (no extension) or create it with neox preprocess`,
  });
});

test('a legacy TNTIDX (cached) index is readable and data_impl is enforced', (t) => {
  // Layout of docs/gpt-neox-reference.md §4.2, built field by field: documents [7,8,9] and [10] in int32.
  const longs = (...v: number[]) => Buffer.concat(v.map((x) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(x));
    return b;
  }));
  const idx = Buffer.concat([
    Buffer.from('TNTIDX\0\0', 'latin1'),
    longs(1, 4, 4, 2, 2, 3), // version, dtype code int32, element size, N, S, D
    longs(0, 1, 2), // dim_offsets
    longs(0, 3, 4), // data_offsets (elements)
    longs(3, 1), // sizes
    longs(0, 1, 2), // doc_idx
  ]);
  const prefix = join(tmp(), 'legacy');
  writeFileSync(`${prefix}.idx`, idx);
  writeFileSync(`${prefix}.bin`, Buffer.from(Int32Array.from([7, 8, 9, 10]).buffer));
  const ds = IndexedDataset.open(prefix);
  t.is(ds.format, 'cached');
  t.deepEqual(Array.from(ds.sizes), [3, 1]);
  t.deepEqual(Array.from(ds.read(0)), [7, 8, 9]);
  t.deepEqual(Array.from(ds.read(1)), [10]);
  ds.close();
  t.throws(() => IndexedDataset.open(prefix, { impl: 'mmap' }), {
    message: `${prefix}.idx is in the cached format but data_impl is "mmap"; set data_impl to "infer" or "cached"`,
  });
});
