import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beginCheckpoint, commitCheckpoint, writeShard } from '../../common/checkpoint';
import { packageRoot } from '../../common/paths';

const cli = join(packageRoot(), 'dist', 'client', 'cli', 'main.js');
const neox = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

function saveTiny(saveDir: string, step: number): string {
  const dir = beginCheckpoint(saveDir, step);
  const report = writeShard(dir, 'rank_00000.safetensors', [
    { name: 'embed.word_embeddings.weight', dtype: 'F32', globalShape: [8, 4], start: [0, 0], shape: [8, 4], data: new Float32Array(32).fill(0.5) },
    { name: 'final_norm.weight', dtype: 'F32', globalShape: [4], start: [0], shape: [4], data: new Float32Array(4).fill(1) },
  ]);
  return commitCheckpoint(saveDir, dir, [report], {
    step, trainerState: { iteration: step }, config: { hidden_size: 4 },
    topology: { world_size: 1, data_parallel_size: 1, model_parallel_size: 1, pipe_parallel_size: 1, zero_stage: 0 },
  });
}

test('checkpoint inspect lists step, topology and tensors of the latest checkpoint', (t) => {
  const saveDir = mkdtempSync(join(tmpdir(), 'neox-inspect-'));
  saveTiny(saveDir, 3);
  saveTiny(saveDir, 6);
  const text = neox('checkpoint', 'inspect', saveDir);
  t.is(text.status, 0, text.stderr);
  t.regex(text.stdout, /^step {8}6$/m);
  t.regex(text.stdout, /^topology {4}world 1 = dp 1 x pp 1 x tp 1, ZeRO stage 0$/m);
  t.regex(text.stdout, /^ {2}embed\.word_embeddings\.weight {2}F32 {2}\[8, 4\] {2}1 box$/m);
  const json = JSON.parse(neox('checkpoint', 'inspect', saveDir, '--step', '3', '--json').stdout) as {
    step: number; tensors: Record<string, { shape: number[] }>;
  };
  t.is(json.step, 3);
  t.deepEqual(json.tensors['final_norm.weight']!.shape, [4]);
});

test('checkpoint inspect --verify names a corrupted file', (t) => {
  const saveDir = mkdtempSync(join(tmpdir(), 'neox-inspect-'));
  const dir = saveTiny(saveDir, 1);
  const shard = join(dir, 'rank_00000.safetensors');
  const bytes = readFileSync(shard);
  bytes[bytes.length - 1] ^= 1;
  writeFileSync(shard, bytes);
  t.is(neox('checkpoint', 'inspect', saveDir).status, 0, 'without --verify the manifest alone is read');
  const result = neox('checkpoint', 'inspect', saveDir, '--verify');
  t.is(result.status, 1);
  t.is(result.stderr, `neox: error: checkpoint file ${shard} fails its SHA-256 check: it is corrupted\n`);
});
