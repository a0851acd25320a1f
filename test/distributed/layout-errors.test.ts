/**
 * Layouts the model cannot be split into are refused by createEngine before the rank joins the
 * run (no peer is waited for), naming the key, the value and the fix.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import test from 'ava';

import { NativeInvalidArgumentError } from '../../native/ts/errors';
import { createEngine } from '../../native/ts/native';
import { layoutConfig, type Layout } from './layout-config';

async function refusal(t: import('ava').ExecutionContext, layout: Layout, extra: Record<string, unknown>): Promise<string> {
  const storeDirectory = mkdtempSync(join(tmpdir(), 'neox-dist-errors-'));
  t.teardown(() => rmSync(storeDirectory, { recursive: true, force: true }));
  const config = layoutConfig({ layout, zeroStage: 0, steps: 1, overlap: false, extra, save: null, load: null, poison: null });
  const worldSize = layout.dp * layout.tp * layout.pp;
  const started = Date.now();
  const error = await t.throwsAsync(createEngine(config, {
    threads: 1, seed: null, parallel: { rank: 0, worldSize, store: null, storeDirectory, timeoutMs: 60_000, host: null },
  }), { instanceOf: NativeInvalidArgumentError });
  t.true(Date.now() - started < 10_000, 'refused without waiting for the other ranks');
  return error!.message;
}

test('an unknown pipe_partition_method is refused', async (t) => {
  t.is(await refusal(t, { dp: 1, tp: 1, pp: 2 }, { pipe_partition_method: 'by_flops' }),
    "pipe_partition_method is 'by_flops'; use 'type:transformer|mlp' (GPT-NeoX's default), 'parameters' or 'uniform'");
});

test('more pipeline stages than blocks are refused', async (t) => {
  t.is(await refusal(t, { dp: 1, tp: 1, pp: 4 }, {}),
    'pipe_parallel_size 4 exceeds num_layers 2; every pipeline stage needs at least one transformer block');
});
