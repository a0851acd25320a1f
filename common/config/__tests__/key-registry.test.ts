import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { KEY_NAMES, KEY_REGISTRY, keySpec, loadConfig, renderKeyTable, type KeySpec } from '..';
import { packageRoot } from '../../paths';

test('configs/README.md carries the key table rendered from the registry', (t) => {
  const readme = readFileSync(join(packageRoot(), 'configs', 'README.md'), 'utf8');
  const start = '<!-- key-table:start -->\n';
  const inside = readme.slice(readme.indexOf(start) + start.length, readme.indexOf('<!-- key-table:end -->'));
  t.is(inside, renderKeyTable());
  for (const name of KEY_NAMES) t.true(inside.includes(`| \`${name}\` |`), name);
});

test('every default is a valid value for its own key', (t) => {
  const overrides = (Object.entries(KEY_REGISTRY) as [string, KeySpec][])
    .filter(([, spec]) => spec.derivedFrom === undefined && spec.default !== null)
    .map(([name, spec]) => `${name}=${JSON.stringify(spec.default)}`);
  t.true(overrides.length > 150);
  const warnings: string[] = [];
  t.notThrows(() => loadConfig([], { purpose: 'show', overrides, onWarning: (m) => warnings.push(m) }));
  t.deepEqual(warnings.filter((w) => !w.startsWith('incomplete for training')), []);
});

test('the DeepSpeed and launcher keys GPT-NeoX accepts at top level are known', (t) => {
  const deepspeed = ['train_batch_size', 'train_micro_batch_size_per_gpu', 'gradient_accumulation_steps', 'optimizer', 'scheduler', 'fp16', 'bf16', 'amp',
    'gradient_clipping', 'zero_optimization', 'steps_per_print', 'wall_clock_breakdown', 'dump_state', 'flops_profiler', 'communication_data_type', 'autotuning',
    'activation_checkpointing', 'sparse_attention', 'data_efficiency', 'tensorboard', 'wandb', 'csv_monitor', 'elasticity', 'comms_logger', 'checkpoint', 'data_types',
    'deepspeed_extra_args', 'fp32_allreduce', 'prescale_gradients', 'gradient_predivide_factor', 'sparse_gradients', 'curriculum_learning', 'compression_training'];
  const launcher = ['hostfile', 'include', 'exclude', 'num_nodes', 'num_gpus', 'master_port', 'master_addr', 'launcher', 'deepspeed_mpi', 'deepspeed_slurm', 'global_num_gpus',
    'force_multi', 'detect_nvlink_pairs', 'no_ssh_check', 'comment', 'account', 'autotuning_run'];
  for (const name of [...deepspeed, ...launcher]) t.truthy(keySpec(name), name);
  t.is(keySpec('gradient_accumulation_steps')?.default, 1);
  t.is(keySpec('hiden_size'), undefined);
});

test('neox\'s own keys are marked as ours', (t) => {
  for (const name of ['elastic', 'coordinator', 'actor_threads', 'tokenizer_vocab_size', 'pipeline_stages', 'data_parallel_size', 'head_dim', 'warmup_iters']) {
    t.is(keySpec(name)?.origin, 'ours', name);
  }
  t.is(keySpec('keep_last_n_checkpoints')?.origin, 'neox');
});
