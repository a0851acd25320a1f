/** Malformed or inconsistent configurations, each checked for its exact one-line message. */
import test from 'ava';

import { ConfigError, loadConfig } from '..';
import { TRAINABLE, writeConfigs } from './write-configs';

/** TRAINABLE with `set` keys added (a later file, so they win) and the load's expected message. */
function rejects(title: string, set: string, options: { worldSize?: number; overrides?: string[]; purpose?: 'train' | 'show' }, message: (files: string[]) => string) {
  test(title, (t) => {
    const files = writeConfigs({ 'model.yml': TRAINABLE, 'change.yml': set });
    const error = t.throws(() => loadConfig(files, { ...options, purpose: options.purpose ?? 'train' } as { purpose: 'train' }), { instanceOf: ConfigError });
    t.is(error?.message, message(files));
  });
}

rejects('hidden_size not divisible by num_attention_heads', '{"hidden_size": 100, "num_attention_heads": 12}', {}, () =>
  'hidden_size 100 is not divisible by num_attention_heads 12 (100 / 12 = 8.333); use a hidden_size that is a multiple of 12 (e.g. 96 or 108) or a num_attention_heads that divides 100');

rejects('heads not divisible by model_parallel_size', '{"hidden_size": 96, "num_attention_heads": 12, "model_parallel_size": 8}', { worldSize: 8 }, () =>
  'num_attention_heads 12 is not divisible by model_parallel_size 8 (12 / 8 = 1.5): each tensor-parallel rank holds whole heads; use a model_parallel_size that divides 12 (1, 2, 3, 4, 6, 12)');

rejects('kv heads not divisible by model_parallel_size', '{"num_attention_heads": 8, "num_kv_heads": 2, "model_parallel_size": 4}', { worldSize: 4 }, () =>
  'num_kv_heads 2 is not divisible by model_parallel_size 4 (2 / 4 = 0.5): each tensor-parallel rank holds whole key/value heads; use a model_parallel_size that divides 2 (1, 2)');

rejects('heads not divisible by kv heads', '{"hidden_size": 96, "num_attention_heads": 12, "num_kv_heads": 5}', {}, () =>
  'num_attention_heads 12 is not divisible by num_kv_heads 5 (12 / 5 = 2.4): every key/value head serves the same number of query heads; use a num_kv_heads that divides 12 (1, 2, 3, 4, 6, 12)');

rejects('batch triple that does not multiply out', '{"train_batch_size": 100, "gradient_accumulation_steps": 4}', { worldSize: 8 }, () =>
  'train_batch_size 100 ≠ train_micro_batch_size_per_gpu 4 x gradient_accumulation_steps 4 x data-parallel size 8 = 128; set train_batch_size to 128, or drop one of the three so it is derived');

rejects('batch + micro with the default GAS of 1 is checked, not solved for GAS', '{"train_batch_size": 96}', { worldSize: 8 }, () =>
  'train_batch_size 96 ≠ train_micro_batch_size_per_gpu 4 x gradient_accumulation_steps 1 (the default) x data-parallel size 8 = 32; gradient_accumulation_steps is not derived when both batch sizes are given: set it to 3, or drop train_batch_size');

rejects('global batch that the data-parallel size does not divide', '{"train_micro_batch_size_per_gpu": null, "train_batch_size": 100}', { worldSize: 8 }, () =>
  'train_batch_size 100 is not divisible by data-parallel size 8 x gradient_accumulation_steps 1 = 8 (100 / 8 = 12.5), so train_micro_batch_size_per_gpu cannot be derived; use a train_batch_size that is a multiple of 8 (e.g. 96 or 104) or set train_micro_batch_size_per_gpu');

rejects('world size not divisible by pipeline x tensor parallelism', '{"model_parallel_size": 4}', { worldSize: 6 }, () =>
  'world size 6 (--world-size) is not divisible by pipeline stages 1 x model_parallel_size 4 = 4 (6 / 4 = 1.5 data-parallel replicas); use a world size that is a multiple of 4 (--world-size or global_num_gpus), or lower pipe_parallel_size or model_parallel_size');

rejects('max_position_embeddings below seq_length', '{"seq_length": 2048}', {}, () =>
  'max_position_embeddings 128 is smaller than seq_length 2048; set max_position_embeddings to at least 2048 or lower seq_length');

rejects('min_lr above lr', '{"min_lr": 0.01}', {}, () =>
  'min_lr 0.01 is greater than the peak learning rate 0.001 (optimizer.params.lr); set min_lr to at most 0.001 (Pythia uses lr / 10)');

rejects('save without a checkpoint cadence', '{"save": "checkpoints"}', {}, () =>
  "save is set ('checkpoints') but neither checkpoint_factor nor extra_save_iters is, so no step would be saved; add checkpoint_factor (e.g. 1000: every 1000 steps) or extra_save_iters");

rejects('data_path together with the path lists', '{"data_path": "data/a", "train_data_paths": ["a"], "valid_data_paths": ["a"], "test_data_paths": ["a"]}', {}, () =>
  'data_path and train_data_paths, valid_data_paths, test_data_paths are both set; use data_path (one dataset cut by split) or the train/valid/test lists, not both');

rejects('path lists not all given', '{"train_data_paths": ["a"]}', {}, () =>
  'train_data_paths is set but valid_data_paths and test_data_paths are not; give all three lists (they may name the same dataset) or use data_path with split');

rejects('weights of another length than their paths', '{"train_data_paths": ["a", "b"], "valid_data_paths": ["a"], "test_data_paths": ["a"], "train_data_weights": [1, 2, 3]}', {}, () =>
  'train_data_weights has 3 entries but train_data_paths has 2; give one weight per path, or drop train_data_weights for equal weights');

rejects('required keys missing for training', '{"num_layers": null, "seq_length": null}', {}, () =>
  'required keys are not set: num_layers, seq_length; add them to a config file or with --set (a model config such as configs/pythia/70M.yml sets all of them)');

rejects('a quoted number where an integer belongs', '{"num_layers": "12"}', {}, ([, change]) =>
  `num_layers in ${change} must be an integer, got '12'; write it without quotes: num_layers: 12`);

rejects('a fractional layer count', '{"num_layers": 2.5}', {}, ([, change]) =>
  `num_layers in ${change} must be an integer, got 2.5; use a whole number, e.g. 3`);

rejects('an unknown choice', '{"lr_decay_style": "cosin"}', {}, ([, change]) =>
  `lr_decay_style in ${change} must be one of constant, linear, cosine, exponential, got 'cosin'; did you mean 'cosine'?`);

rejects('an abbreviated choice gets the spelled-out suggestion', '{"precision": "bf16"}', {}, ([, change]) =>
  `precision in ${change} must be one of fp16, fp32, bfloat16, got 'bf16'; did you mean 'bfloat16'?`);

rejects('a list item of the wrong type', '{"extra_save_iters": [0, "ten"]}', {}, ([, change]) =>
  `extra_save_iters in ${change} must be a list of integers, but entry 2 is 'ten'; write a whole number such as 8`);

rejects('optimizer without params', '{"optimizer": {"type": "Adam"}}', {}, ([, change]) =>
  `optimizer in ${change} has no 'params'; write optimizer: {type: Adam, params: {lr: 0.0006, betas: [0.9, 0.95], eps: 1.0e-8}}`);

rejects('an AdamW optimizer type', '{"optimizer": {"type": "AdamW", "params": {"lr": 0.001}}}', {}, ([, change]) =>
  `optimizer.type 'AdamW' in ${change} is not one of adam, onebitadam, cpu_adam, cpu_torch_adam, sm3, madgrad_wd, sgd, lion; use 'Adam' (it already decouples weight decay like AdamW)`);

rejects('fp16 block without enabled', '{"fp16": {"loss_scale": 0}}', {}, ([, change]) =>
  `fp16 in ${change} has no 'enabled'; add enabled: true (or false)`);

rejects('precision contradicting the fp16 block', '{"precision": "bfloat16", "fp16": {"enabled": true}}', {}, ([, change]) =>
  `precision 'bfloat16' (${change}) contradicts fp16.enabled: true (${change}); remove precision or set it to fp16`);

rejects('attention_config of the wrong length', '{"attention_config": [[["global", "local"], 3]]}', {}, ([, change]) =>
  `attention_config in ${change} expands to 6 layers but num_layers is 2; make the repeat counts add up to 2, or write [[["global"], "all"]] or [[["global", "local"], 6]]`);

rejects('an unknown attention type', '{"attention_config": [[["flsh"], "all"]]}', {}, ([, change]) =>
  `attention_config in ${change} names the unknown attention type 'flsh'; did you mean 'flash'? (known: global, local, sparse_fixed, sparse_variable, bigbird, bslongformer, gmlp, amlp, flash, rwkv, mamba)`);

rejects('intermediate_size and expansion_factor together', '{"intermediate_size": 256, "expansion_factor": 4}', {}, () =>
  'intermediate_size 256 and expansion_factor 4 are both set; keep one (intermediate_size is the MLP width, expansion_factor the width as a multiple of hidden_size)');

rejects('gated MLP widths that do not agree (mistral/7B.yml, reference §2.2)', '{"hidden_size": 4096, "num_attention_heads": 32, "activation": "swiglu", "intermediate_size": 14336}', {}, () =>
  'the MLP widths disagree: activation swiglu with base width 14336 and mlp_multiple_of 1 gives a first linear of 9558 (two halves of 4779) but a second linear of 4778; choose intermediate_size (or mlp_multiple_of) so that both round to the same width');

rejects('train_iters together with train_epochs', '{"train_epochs": 2}', {}, ([model, change]) =>
  `train_iters 100 (${model}) and train_epochs 2 (${change}) are both set; give one`);

rejects('elastic.min_world_size that is not whole replicas', '{"model_parallel_size": 2, "elastic": {"min_world_size": 3}}', { worldSize: 8 }, () =>
  'elastic.min_world_size 3 is not a multiple of pipeline stages 1 x model_parallel_size 2 = 2; elastic shrinking keeps tensor and pipeline parallelism and only removes whole data-parallel replicas');

rejects('a coordinator address without a port', '{"coordinator": {"address": "localhost"}}', {}, () =>
  "coordinator.address 'localhost' must be host:port with a port from 1 to 65535, e.g. '127.0.0.1:50051'");

rejects('a --set without "="', '{}', { overrides: ['hidden_size'] }, () =>
  '--set hidden_size: expected key=value (a dotted key reaches into a block), e.g. --set hidden_size=768 or --set optimizer.params.lr=0.0003');

rejects('a dotted --set through a value that is not a mapping', '{}', { overrides: ['num_layers.x=1'] }, () =>
  "--set num_layers.x=1: num_layers is 2, not a mapping, so it has no field 'x'; set num_layers as a whole instead");

rejects('a world size of zero', '{}', { worldSize: 0 }, () => '--world-size must be a positive integer, got 0');

rejects('a contradiction is an error for config show too', '{"hidden_size": 100, "num_attention_heads": 12}', { purpose: 'show' }, () =>
  'hidden_size 100 is not divisible by num_attention_heads 12 (100 / 12 = 8.333); use a hidden_size that is a multiple of 12 (e.g. 96 or 108) or a num_attention_heads that divides 100');

test('a missing file names the path and what to check', (t) => {
  const error = t.throws(() => loadConfig(['does/not/exist.yml']), { instanceOf: ConfigError });
  t.is(error?.message, `config file 'does/not/exist.yml' does not exist (resolved to ${process.cwd()}/does/not/exist.yml); check the path (relative paths start at the current directory)`);
});

test('a syntax error names file:line:col', (t) => {
  const [file] = writeConfigs({ 'broken.yml': '{\n  "num_layers": 2\n  "hidden_size": 64,\n}\n' });
  const error = t.throws(() => loadConfig([file!]), { instanceOf: ConfigError });
  t.is(error?.message, `${file}:2:17: invalid YAML: Implicit keys need to be on a single line (is a comma missing at the end of line 2?); correct the file at that position`);
});

test('a top level that is not a mapping', (t) => {
  const [file] = writeConfigs({ 'list.yml': '- num_layers\n- 2\n' });
  const error = t.throws(() => loadConfig([file!]), { instanceOf: ConfigError });
  t.is(error?.message, `${file}: the top level is a list, not a mapping; a config file holds key: value pairs, e.g. {"num_layers": 12}`);
});

test('every error is a single line and names its key', (t) => {
  const [model, change] = writeConfigs({ 'model.yml': TRAINABLE, 'change.yml': '{"hidden_size": 100, "num_attention_heads": 12}' });
  const error = t.throws(() => loadConfig([model!, change!]), { instanceOf: ConfigError }) as ConfigError;
  t.false(error.message.includes('\n'));
  t.is(error.key, 'hidden_size');
  t.is(error.code, 'CONFIG_INVALID');
});
