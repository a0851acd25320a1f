/**
 * runEval on checkpoints whose configs describe a parallel training layout (dp 2 × tp 2, ZeRO 1):
 * the weights are global, so one process evaluates them, with the same numbers as the same
 * weights saved from a single-process config.
 */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runEval } from '../../client/eval/run-eval';
import { packageRoot } from '../../common/paths';
import { createEngine } from '../../native/ts/native';
import { saveEngineCheckpoint } from '../../node/actor/engine-checkpoint';
import { initialTrainerState } from '../../node/actor/trainer-state';
import { tinyConfig } from '../model/tiny-models';
import { TOKENIZER_JSON } from '../serve/helpers';

const work = mkdtempSync(join(tmpdir(), 'neox-run-eval-'));
test.after.always(() => rmSync(work, { recursive: true, force: true }));

test('a checkpoint of a dp 2 x tp 2 run evaluates in one process, equal to the single-process checkpoint of the same weights', async (t) => {
  const keys = { tokenizer_type: 'HFTokenizer', vocab_file: TOKENIZER_JSON };
  const single = tinyConfig('llama', { micro: 1, gas: 1 }, keys);
  const parallel = tinyConfig('llama', { micro: 1, gas: 1 }, { ...keys, global_num_gpus: 4, model_parallel_size: 2, zero_optimization: { stage: 1 } });
  t.is(parallel.data_parallel_size, 2);
  t.is(parallel.padded_vocab_size, single.padded_vocab_size);
  const engine = await createEngine(single, { threads: null, seed: 9 });
  const topology = { world_size: 1, data_parallel_size: 1, model_parallel_size: 1, pipe_parallel_size: 1, zero_stage: 0 };
  try {
    for (const [name, config] of [['single', single], ['parallel', parallel]] as const) {
      saveEngineCheckpoint({ saveDir: join(work, name), engine, state: initialTrainerState(1), config: config as unknown as Record<string, unknown>, topology, keepLast: null, tokenizerFiles: [TOKENIZER_JSON] });
    }
  } finally {
    engine.close();
  }
  const tasks = [{ name: 'lastword', kind: 'lastword' as const, path: join(packageRoot(), 'test', 'eval', 'fixtures', 'lastword.jsonl') }];
  const run = (name: string) => runEval({ checkpoint: join(work, name), step: null, tasks, batchSize: 4, maxLength: null, threads: null });
  const [a, b] = [await run('single'), await run('parallel')];
  t.deepEqual(b.tasks, a.tasks);
  t.true(Number.isFinite(a.tasks[0]!.metrics.perplexity));
});
