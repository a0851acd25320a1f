/**
 * A checkpoint whose config describes a parallel layout (dp 2 × tp 2 × pp 2, ZeRO 1) opens for
 * inference in one process: `neox generate` and the serve/eval loader give the same ids and
 * logits as the same weights saved from a single-process config.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadCheckpointEngine } from '../../client/checkpoint/checkpoint-model';
import { createEngine } from '../../native/ts/native';
import { saveEngineCheckpoint } from '../../node/actor/engine-checkpoint';
import { initialTrainerState } from '../../node/actor/trainer-state';
import { tinyConfig } from '../model/tiny-models';
import { CLI } from '../serve/cli-server';
import { TOKENIZER_JSON } from '../serve/helpers';

const work = mkdtempSync(join(tmpdir(), 'neox-any-layout-'));
test.after.always(() => rmSync(work, { recursive: true, force: true }));

const keys = { tokenizer_type: 'HFTokenizer', vocab_file: TOKENIZER_JSON };
const single = tinyConfig('gpt_neox', { micro: 1, gas: 1 }, keys);
const parallel = tinyConfig('gpt_neox', { micro: 1, gas: 1 }, {
  ...keys, global_num_gpus: 8, model_parallel_size: 2, pipe_parallel_size: 2, zero_optimization: { stage: 1 },
});

const saved = (async () => {
  const engine = await createEngine(single, { threads: null, seed: 21 });
  try {
    for (const [name, config] of [['single', single], ['parallel', parallel]] as const) {
      saveEngineCheckpoint({
        saveDir: join(work, name), engine, state: initialTrainerState(1), config: config as unknown as Record<string, unknown>,
        topology: { world_size: 1, data_parallel_size: 1, model_parallel_size: 1, pipe_parallel_size: 1, zero_stage: 0 }, keepLast: null, tokenizerFiles: [TOKENIZER_JSON],
      });
    }
  } finally {
    engine.close();
  }
})();

test('the parallel config is what the test means', (t) => {
  t.is(parallel.data_parallel_size, 2);
  t.is(parallel.pipeline_stages, 2);
  t.is(parallel.padded_vocab_size, single.padded_vocab_size);
});

test('neox generate on a checkpoint of a dp 2 x tp 2 x pp 2 run prints what the single-process checkpoint prints', async (t) => {
  await saved;
  const generate = (name: string) => {
    const result = spawnSync(process.execPath, [CLI, 'generate', '--checkpoint', join(work, name), '--prompt', 'Shall I compare thee', '--max-tokens', '8', '--json'], { encoding: 'utf8' });
    t.is(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as { ids: number[] };
  };
  const [a, b] = [generate('single'), generate('parallel')];
  t.is(a.ids.length, 8);
  t.deepEqual(b, a);
});

test('loadCheckpointEngine gives one process the whole model with the same logits', async (t) => {
  await saved;
  const tokens = Int32Array.from([3, 17, 42, 5, 9, 11]);
  const logits = async (name: string) => {
    const { engine, config, context } = await loadCheckpointEngine(join(work, name));
    try {
      t.is(config.model_parallel_size, 1);
      t.is(config.pipeline_stages, 1);
      t.is(context, Math.max(single.seq_length, single.max_position_embeddings));
      return await engine.logits(tokens, 1, tokens.length);
    } finally {
      engine.close();
    }
  };
  t.deepEqual(await logits('parallel'), await logits('single'));
});
