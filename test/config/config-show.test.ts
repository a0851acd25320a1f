import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { KEY_NAMES } from '../../common/config';
import { neox } from './neox';

test('--json prints every key once, underscore form, sorted, derived values included', (t) => {
  const { code, stdout, stderr } = neox('config', 'show', 'configs/pythia/70M.yml', '--world-size', '8', '--set', 'tokenizer_vocab_size=50277', '--json');
  t.is(code, 0);
  t.is(stderr, '');
  const config = JSON.parse(stdout) as Record<string, unknown>;
  const keys = Object.keys(config);
  t.deepEqual(keys, [...keys].sort());
  t.deepEqual([...keys].sort(), [...KEY_NAMES].sort());
  t.false(keys.some((key) => key.includes('-')));
  t.like(config, {
    num_layers: 6, hidden_size: 512, head_dim: 64, data_parallel_size: 8, train_micro_batch_size_per_gpu: 32, train_batch_size: 256,
    padded_vocab_size: 50304, lr: 0.001, min_lr: 0.0001, lr_decay_iters: 143000, warmup_iters: 1430, precision: 'fp16', is_pipe_parallel: true,
  });
  t.deepEqual(Object.keys(config.optimizer as object), ['params', 'type']); // nested keys sorted too
});

test('warnings go to stderr, the configuration alone to stdout', (t) => {
  const { code, stdout, stderr } = neox('config', 'show', 'configs/pythia/1B.yml', '--json');
  t.is(code, 0);
  t.is((JSON.parse(stdout) as { precision: string }).precision, 'fp16');
  const lines = stderr.trim().split('\n');
  t.is(lines.length, 2);
  t.true(lines.every((line) => line.startsWith('neox: warning: ')));
  t.regex(lines[0]!, /fp16\.type 'bfloat16' in configs\/pythia\/1B\.yml is not read/);
  t.regex(lines[1]!, /padded_vocab_size cannot be determined: HFTokenizer needs vocab_file/);
});

test('the readable view groups the keys that were set or derived, with their origin', (t) => {
  const { code, stdout } = neox('config', 'show', 'configs/pythia/14M.yml', '--world-size', '32', '--set', 'seed=7');
  t.is(code, 0);
  t.regex(stdout, /^world size 32 = 32 data-parallel x 1 pipeline x 1 tensor-parallel$/m);
  t.regex(stdout, /^parallelism$/m);
  t.regex(stdout, /^batch and precision$/m);
  t.regex(stdout, /^ {2}train_batch_size +1024 +derived$/m);
  t.regex(stdout, /^ {2}num_layers +6 +configs\/pythia\/14M\.yml$/m);
  t.regex(stdout, /^ {2}seed +7 +--set$/m);
  t.regex(stdout, /^ {2}global_num_gpus +32 +--world-size$/m);
  t.regex(stdout, /^ {2}weight_decay +0\.1 +configs\/pythia\/14M\.yml$/m); // written "weight-decay" in the file
  t.notRegex(stdout, /^ {2}log_dir /m); // at its default: not listed
  t.regex(stdout, /^ {2}num_workers +4 +configs\/pythia\/14M\.yml$/m);
});

test('several files merge; a key in two files warns with both file names', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'neox-show-'));
  const override = join(dir, 'short.yml');
  writeFileSync(override, '{"train-iters": 1000, "lr_decay_iters": 1000}\n');
  const { code, stdout, stderr } = neox('config', 'show', 'configs/pythia/160M.yml', override, '--set', 'tokenizer_vocab_size=50277', '--json');
  t.is(code, 0);
  t.like(JSON.parse(stdout), { train_iters: 1000, lr_decay_iters: 1000, warmup_iters: 10 });
  t.is(
    stderr,
    `neox: warning: train_iters is set in both configs/pythia/160M.yml (143000) and ${override} (1000); ${override}, the later file, wins (GPT-NeoX would refuse the duplicate)\n` +
      `neox: warning: lr_decay_iters is set in both configs/pythia/160M.yml (143000) and ${override} (1000); ${override}, the later file, wins (GPT-NeoX would refuse the duplicate)\n`,
  );
});

test('a bad configuration is one line on stderr and exit code 1', (t) => {
  const { code, stdout, stderr } = neox('config', 'show', 'configs/pythia/6-9B.yml');
  t.is(code, 1);
  t.is(stdout, '');
  t.is(
    stderr,
    'neox: error: world size 1 (the default; set --world-size or global_num_gpus) is not divisible by pipeline stages 1 x model_parallel_size 2 = 2 (1 / 2 = 0.5 data-parallel replicas); ' +
      'use a world size that is a multiple of 2 (--world-size or global_num_gpus), or lower pipe_parallel_size or model_parallel_size\n',
  );
  t.is(neox('config', 'show', 'configs/pythia/6-9B.yml', '--world-size', '2', '--json').code, 0);
});

test('usage errors: no file, a non-numeric world size, an unknown flag (exit code 2)', (t) => {
  const none = neox('config', 'show');
  t.is(none.code, 2);
  t.is(none.stderr, 'neox: error: neox config show needs at least one config file, e.g. neox config show configs/pythia/70M.yml\n');
  const world = neox('config', 'show', 'configs/pythia/70M.yml', '--world-size', 'eight');
  t.is(world.code, 2);
  t.is(world.stderr, "neox: error: --world-size expects a whole number of ranks, got 'eight'\n");
  t.is(neox('config', 'show', 'configs/pythia/70M.yml', '--bogus').code, 2);
});

test('neox config show --help explains the flags', (t) => {
  const { code, stdout } = neox('config', 'show', '--help');
  t.is(code, 0);
  t.regex(stdout, /^usage: neox config show FILE\.\.\. \[--set key=value\]\.\.\. \[--world-size N\] \[--json\]/);
  t.regex(stdout, /--set key=value/);
  t.regex(neox('--help').stdout, /^ {2}config show {2}/m);
});
