import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  beginCheckpoint, Checkpoint, commitCheckpoint, ShardBox, ShardReport, TensorData, Topology, writeShard,
} from '..';

const topology: Topology = { world_size: 2, data_parallel_size: 1, model_parallel_size: 2, pipe_parallel_size: 1, zero_stage: 0 };

const floats = (data: TensorData): number[] => Array.from(data as Float32Array);

/** A [rows, cols] tensor whose element (r, c) is r*100 + c. */
function pattern(rows: number, cols: number, rowStart = 0, colStart = 0, height = rows, width = cols): Float32Array {
  const out = new Float32Array(height * width);
  for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) out[r * width + c] = (rowStart + r) * 100 + colStart + c;
  return out;
}

/** Saves a [6, 4] tensor split by rows over 2 ranks and a [4, 6] tensor split by columns. */
function saveSplit(saveDir: string, step: number, keepLast: number | null = null): string {
  const dir = beginCheckpoint(saveDir, step);
  const reports: ShardReport[] = [0, 1].map((rank) => {
    const boxes: ShardBox[] = [
      { name: 'rows', dtype: 'F32', globalShape: [6, 4], start: [rank * 3, 0], shape: [3, 4], data: pattern(6, 4, rank * 3, 0, 3, 4) },
      { name: 'cols', dtype: 'F32', globalShape: [4, 6], start: [0, rank * 3], shape: [4, 3], data: pattern(4, 6, 0, rank * 3, 4, 3) },
    ];
    return writeShard(dir, `rank_${rank}.safetensors`, boxes);
  });
  return commitCheckpoint(saveDir, dir, reports, {
    step, trainerState: { step, consumed_samples: step * 8 }, config: { hidden_size: 4 }, topology, keepLast,
  });
}

test('a checkpoint saved as row and column slices loads whole and in other slicings', (t) => {
  const saveDir = mkdtempSync(join(tmpdir(), 'neox-ckpt-'));
  saveSplit(saveDir, 10);
  const checkpoint = Checkpoint.open(saveDir);
  t.teardown(() => checkpoint.close());
  t.is(checkpoint.step, 10);
  t.deepEqual(checkpoint.manifest.trainer_state, { step: 10, consumed_samples: 80 });
  t.deepEqual(floats(checkpoint.readTensor('rows')), Array.from(pattern(6, 4)));
  t.deepEqual(floats(checkpoint.readTensor('cols')), Array.from(pattern(4, 6)));
  // A box crossing both stored slices, at a different split than it was saved with.
  t.deepEqual(floats(checkpoint.readBox('rows', { start: [2, 1], shape: [3, 2] })), Array.from(pattern(6, 4, 2, 1, 3, 2)));
  t.deepEqual(floats(checkpoint.readBox('cols', { start: [1, 2], shape: [2, 3] })), Array.from(pattern(4, 6, 1, 2, 2, 3)));
});

test('latest points at the newest commit, and retention keeps the last K', (t) => {
  const saveDir = mkdtempSync(join(tmpdir(), 'neox-ckpt-'));
  for (const step of [1, 2, 3, 4]) saveSplit(saveDir, step, 2);
  t.is(readFileSync(join(saveDir, 'latest'), 'utf8'), 'global_step4');
  t.deepEqual(readdirSync(saveDir).filter((n) => n.startsWith('global_step')).sort(), ['global_step3', 'global_step4']);
  const older = Checkpoint.open(saveDir, { step: 3 });
  t.is(older.step, 3);
  older.close();
  t.throws(() => Checkpoint.open(saveDir, { step: 1 }), {
    message: `no checkpoint for step 1 in ${saveDir}; available steps: 3, 4`,
  });
});

test('a corrupted shard is detected and named', (t) => {
  const saveDir = mkdtempSync(join(tmpdir(), 'neox-ckpt-'));
  const dir = saveSplit(saveDir, 5);
  const shard = join(dir, 'rank_1.safetensors');
  const bytes = readFileSync(shard);
  bytes[bytes.length - 3] ^= 0x40;
  writeFileSync(shard, bytes);
  t.throws(() => Checkpoint.open(saveDir), { message: `checkpoint file ${shard} fails its SHA-256 check: it is corrupted` });
  writeFileSync(shard, bytes.subarray(0, bytes.length - 8));
  t.throws(() => Checkpoint.open(saveDir), {
    message: `checkpoint file ${shard} has ${bytes.length - 8} bytes but the manifest says ${bytes.length}: it is corrupted or truncated`,
  });
});

test('a save that never commits leaves the previous checkpoint and latest in place', (t) => {
  const saveDir = mkdtempSync(join(tmpdir(), 'neox-ckpt-'));
  saveSplit(saveDir, 7);
  const abandoned = beginCheckpoint(saveDir, 8);
  writeShard(abandoned, 'rank_0.safetensors', [
    { name: 'rows', dtype: 'F32', globalShape: [6, 4], start: [0, 0], shape: [3, 4], data: pattern(6, 4, 0, 0, 3, 4) },
  ]);
  const checkpoint = Checkpoint.open(saveDir);
  t.is(checkpoint.step, 7);
  checkpoint.close();
  // The next save clears the abandoned temporary directory.
  saveSplit(saveDir, 9);
  t.false(existsSync(abandoned));
});

test('ranks that store too few elements cannot commit', (t) => {
  const saveDir = mkdtempSync(join(tmpdir(), 'neox-ckpt-'));
  const dir = beginCheckpoint(saveDir, 1);
  const report = writeShard(dir, 'rank_0.safetensors', [
    { name: 'rows', dtype: 'F32', globalShape: [6, 4], start: [0, 0], shape: [3, 4], data: pattern(6, 4, 0, 0, 3, 4) },
  ]);
  t.throws(() => commitCheckpoint(saveDir, dir, [report], { step: 1, trainerState: {}, config: {}, topology }), {
    message: /tensor rows \[6,4\] has 24 elements but the ranks stored 12/,
  });
  t.false(existsSync(join(saveDir, 'latest')));
});
