import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SafetensorsFile, writeSafetensors } from '../../common/checkpoint';
import { runOracle } from '../oracle/python';

test('the safetensors package reads the files we write', (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'neox-st-')), 'a.safetensors');
  const weights = Float32Array.from({ length: 12 }, (_, i) => i * 0.5 - 2);
  writeSafetensors(path, [
    { name: 'layers.0.weight', dtype: 'F32', shape: [3, 4], data: weights },
    { name: 'ids', dtype: 'I32', shape: [5], data: Int32Array.from([1, -2, 3, 65536, 7]) },
  ], { format: 'neox-checkpoint' });
  const dumped = JSON.parse(runOracle('safetensors_tool.py', ['dump', path])) as Record<string, { dtype: string; shape: number[]; values: number[] }>;
  t.deepEqual(dumped['layers.0.weight'], { dtype: 'F32', shape: [3, 4], values: Array.from(weights) });
  t.deepEqual(dumped.ids, { dtype: 'I32', shape: [5], values: [1, -2, 3, 65536, 7] });
});

test('we read files the safetensors package writes', (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'neox-st-')), 'b.safetensors');
  runOracle('safetensors_tool.py', ['write', path, JSON.stringify({
    'embed.weight': { dtype: 'F32', shape: [2, 3], values: [0.25, -1, 2, 3.5, 4, -5] },
    step: { dtype: 'I64', shape: [1], values: [123456789012] },
  })]);
  const file = new SafetensorsFile(path);
  t.teardown(() => file.close());
  t.deepEqual(file.tensors.get('embed.weight')?.shape, [2, 3]);
  t.deepEqual(Array.from(file.read('embed.weight') as Float32Array), [0.25, -1, 2, 3.5, 4, -5]);
  t.deepEqual(Array.from(file.read('embed.weight', 2, 3) as Float32Array), [2, 3.5, 4]);
  t.deepEqual(Array.from(file.read('step') as BigInt64Array), [123456789012n]);
});
