/** Derived keys other than the Pythia end-to-end values: each rule of configs/README.md "Derived values". */
import test from 'ava';

import { mlpWidths, paddedVocabSize, ZERO_DEFAULTS } from '..';
import { loadShow, loadTrain, TRAINABLE, writeConfigs } from './write-configs';

function trainWith(extra: string, options: { worldSize?: number; overrides?: string[] } = {}) {
  const files = writeConfigs({ 'model.yml': TRAINABLE, 'extra.yml': extra });
  return loadTrain(files, options);
}

test('pipe_parallel_size 0 and 1 are both one stage; only 1 is a pipeline module', (t) => {
  const zero = trainWith('{"pipe_parallel_size": 0}', { worldSize: 4 }).config;
  const one = trainWith('{"pipe_parallel_size": 1}', { worldSize: 4 }).config;
  t.deepEqual([zero.pipeline_stages, zero.data_parallel_size, zero.is_pipe_parallel], [1, 4, false]);
  t.deepEqual([one.pipeline_stages, one.data_parallel_size, one.is_pipe_parallel], [1, 4, true]);
  const two = trainWith('{"pipe_parallel_size": 2, "model_parallel_size": 2}', { worldSize: 8 }).config;
  t.deepEqual([two.pipeline_stages, two.data_parallel_size, two.world_size, two.global_num_gpus], [2, 2, 8, 8]);
});

test('world size: --world-size over global_num_gpus over 1; model_parallel_size 0 reads as 1', (t) => {
  t.is(trainWith('{}').config.data_parallel_size, 1);
  t.is(trainWith('{"global_num_gpus": 4}').config.data_parallel_size, 4);
  t.is(trainWith('{"global_num_gpus": 4}', { worldSize: 2 }).config.data_parallel_size, 2);
  t.is(trainWith('{"model_parallel_size": 0}', { worldSize: 2 }).config.model_parallel_size, 1);
});

test('batch triple: each missing member is derived from B = micro x GAS x dp', (t) => {
  const fromMicroAndGas = trainWith('{"gradient_accumulation_steps": 3}', { worldSize: 2 }).config;
  t.deepEqual([fromMicroAndGas.train_batch_size, fromMicroAndGas.train_micro_batch_size_per_gpu, fromMicroAndGas.gradient_accumulation_steps], [24, 4, 3]);
  const fromBatch = trainWith('{"train_micro_batch_size_per_gpu": null, "train_batch_size": 64, "gradient_accumulation_steps": 2}', { worldSize: 4 }).config;
  t.deepEqual([fromBatch.train_batch_size, fromBatch.train_micro_batch_size_per_gpu, fromBatch.gradient_accumulation_steps, fromBatch.batch_size], [64, 8, 2, 8]);
  const gasDerived = trainWith('{"train_batch_size": 96, "gradient_accumulation_steps": null}', { worldSize: 8 }).config;
  t.deepEqual([gasDerived.train_batch_size, gasDerived.train_micro_batch_size_per_gpu, gasDerived.gradient_accumulation_steps, gasDerived.gas], [96, 4, 3, 3]);
  const batchOnly = trainWith('{"train_micro_batch_size_per_gpu": null, "train_batch_size": 32, "gradient_accumulation_steps": null}', { worldSize: 8 }).config;
  t.deepEqual([batchOnly.train_micro_batch_size_per_gpu, batchOnly.gradient_accumulation_steps], [4, 1]);
});

test('precision: from the fp16/bf16 blocks or the precision key, fp32 otherwise, and the block is switched on', (t) => {
  t.is(trainWith('{}').config.precision, 'fp32');
  const bf16 = trainWith('{"precision": "bfloat16"}').config;
  t.is(bf16.precision, 'bfloat16');
  t.deepEqual(bf16.bf16, { enabled: true });
  t.is(trainWith('{"bf16": {"enabled": true}}').config.precision, 'bfloat16');
  const fp16 = trainWith('{"precision": "fp16", "fp16": {"enabled": false, "initial_scale_power": 12}}').config;
  t.deepEqual([fp16.precision, fp16.fp16], ['fp16', { enabled: true, initial_scale_power: 12 }]);
  t.is(trainWith('{"fp16": {"enabled": false}}').config.precision, 'fp32');
});

test('a choice written in another case is stored in canonical spelling, with a warning', (t) => {
  const [model, extra] = writeConfigs({ 'model.yml': TRAINABLE, 'extra.yml': '{"precision": "BFloat16", "lr_decay_style": "Cosine"}' });
  const { config, warnings } = loadTrain([model!, extra!]);
  t.is(config.precision, 'bfloat16');
  t.is(config.lr_decay_style, 'cosine');
  t.deepEqual(warnings, [
    `precision 'BFloat16' in ${extra} is read as 'bfloat16' (GPT-NeoX compares some of these values exactly; write 'bfloat16')`,
    `lr_decay_style 'Cosine' in ${extra} is read as 'cosine' (GPT-NeoX compares some of these values exactly; write 'cosine')`,
  ]);
});

test('optimizer_type, lr, clip_grad, dynamic_loss_scale and the ZeRO defaults', (t) => {
  const config = trainWith('{"optimizer": {"type": "Lion", "params": {"lr": 0.0002}}, "gradient_clipping": 0.5}').config;
  t.deepEqual([config.optimizer_type, config.lr, config.clip_grad, config.dynamic_loss_scale], ['lion', 0.0002, 0.5, true]);
  t.deepEqual(config.zero_optimization, ZERO_DEFAULTS);
  t.deepEqual([config.zero_stage, config.zero_reduce_scatter, config.zero_contiguous_gradients, config.zero_reduce_bucket_size, config.zero_allgather_bucket_size], [0, true, false, 500000000, 500000000]);
  const zero = trainWith('{"zero_optimization": {"stage": 2, "contiguous_gradients": true}, "loss_scale": 128}').config;
  t.deepEqual(zero.zero_optimization, { stage: 2, contiguous_gradients: true }); // a given block is not merged with the defaults
  t.deepEqual([zero.zero_stage, zero.zero_contiguous_gradients, zero.zero_reduce_bucket_size, zero.dynamic_loss_scale], [2, true, 500000000, false]);
});

test('a value set for an always-derived key is replaced, with a warning', (t) => {
  const [model, extra] = writeConfigs({ 'model.yml': TRAINABLE, 'extra.yml': '{"lr": 0.5, "gas": 1}' });
  const { config, warnings } = loadTrain([model!, extra!]);
  t.is(config.lr, 0.001);
  t.deepEqual(warnings, [`lr is derived from optimizer.params.lr; the value 0.5 set in ${extra} is replaced by 0.001`]);
});

test('num_kv_heads defaults to the head count; head_dim is hidden / heads', (t) => {
  const config = trainWith('{}').config;
  t.deepEqual([config.num_kv_heads, config.head_dim], [4, 16]);
  const grouped = trainWith('{"num_kv_heads": 2, "model_parallel_size": 2}', { worldSize: 2 }).config;
  t.deepEqual([grouped.num_kv_heads, grouped.attention_config], [2, ['global', 'global']]);
});

test('MLP widths (reference §2.2): 4H by default; the gated 2/3 rule with rounding', (t) => {
  const plain = trainWith('{}').config;
  t.deepEqual([plain.mlp_gated, plain.mlp_linear1_width, plain.mlp_linear2_width], [false, 256, 256]);
  // llama2/7B.yml: F0 32768, m 256 -> first linear 22016 (two halves), second 11008 (HF intermediate_size)
  t.deepEqual(mlpWidths(4096, 'swiglu', 32768, null, 256), { base: 32768, gated: true, linear1: 22016, linear2: 11008 });
  // llama/13B.yml and llama2/70B.yml
  t.is(mlpWidths(5120, 'swiglu', 40960, null, 256).linear2, 13824);
  t.is(mlpWidths(8192, 'swiglu', 86016, null, 256).linear2, 28672);
  t.is(mlpWidths(100, 'gelu', null, 2.5, 1).linear1, 250);
  const gated = trainWith('{"activation": "swiglu", "intermediate_size": 768, "mlp_multiple_of": 16}').config;
  t.deepEqual([gated.mlp_gated, gated.mlp_linear1_width, gated.mlp_linear2_width], [true, 512, 256]);
});

test('attention_config: default global, repeats, "all", and an expanded list as is', (t) => {
  const files = writeConfigs({ 'model.yml': TRAINABLE.replace('"num_layers": 2', '"num_layers": 6') });
  const expand = (spec: string) => loadTrain(files, { overrides: [`attention_config=${spec}`] }).config.attention_config;
  t.deepEqual(loadTrain(files).config.attention_config, Array(6).fill('global'));
  t.deepEqual(expand('[[["global", "local"], 2], [["flash"], 2]]'), ['global', 'local', 'global', 'local', 'flash', 'flash']);
  t.deepEqual(expand('[[["global", "local", "flash"], "all"]]'), ['global', 'local', 'flash', 'global', 'local', 'flash']);
  t.deepEqual(expand('[global, local, global, local, global, local]'), ['global', 'local', 'global', 'local', 'global', 'local']);
  const { config, warnings } = loadTrain(files, { overrides: ['attention_config=[[["local"], 2], [["flash"], "all"]]'] });
  t.deepEqual(config.attention_config, Array(6).fill('flash'));
  t.deepEqual(warnings, ['attention_config in --set: the "all" entry replaces the whole list (as in GPT-NeoX); the other entries are ignored']);
});

test('padded vocabulary: round up to make_vocab_size_divisible_by x model_parallel_size', (t) => {
  t.is(paddedVocabSize(50277, 128, 1), 50304);
  t.is(paddedVocabSize(50277, 128, 2), 50432);
  t.is(paddedVocabSize(50277, 128, 4), 50688);
  t.is(paddedVocabSize(50304, 128, 1), 50304);
  t.is(paddedVocabSize(32000, 1, 8), 32000);
  const gpt2 = trainWith('{}').config;
  t.deepEqual([gpt2.unpadded_vocab_size, gpt2.padded_vocab_size], [50257, 50304]);
  const chars = trainWith('{"tokenizer_type": "CharLevelTokenizer", "make_vocab_size_divisible_by": 100}').config;
  t.deepEqual([chars.unpadded_vocab_size, chars.padded_vocab_size], [512, 600]);
});

test('an HFTokenizer vocabulary is counted from tokenizer.json: model.vocab plus new added tokens', (t) => {
  const tokenizerJson = JSON.stringify({
    added_tokens: [{ id: 0, content: '<|endoftext|>' }, { id: 5, content: '<|padding|>' }, { id: 6, content: '  ' }],
    model: { type: 'BPE', vocab: { '<|endoftext|>': 0, a: 1, b: 2, ab: 3, c: 4 }, merges: ['a b'] },
  });
  const [tokenizer] = writeConfigs({ 'tokenizer.json': tokenizerJson });
  const config = trainWith(`{"tokenizer_type": "HFTokenizer", "vocab_file": "${tokenizer}", "make_vocab_size_divisible_by": 4}`).config;
  t.deepEqual([config.unpadded_vocab_size, config.padded_vocab_size], [7, 8]);
  const unigram = JSON.stringify({ added_tokens: [{ content: '<pad>' }], model: { type: 'Unigram', vocab: [['<unk>', 0], ['▁a', -1.5], ['<pad>', 0]] } });
  const [unigramFile] = writeConfigs({ 'tokenizer.json': unigram });
  t.is(trainWith(`{"tokenizer_type": "HFTokenizer", "vocab_file": "${unigramFile}"}`).config.unpadded_vocab_size, 3);
});

test('an undeterminable vocabulary leaves padded_vocab_size null and names the key to set', (t) => {
  const { config, warnings } = trainWith('{"tokenizer_type": "TiktokenTokenizer", "vocab_file": "cl100k_base"}');
  t.is(config.padded_vocab_size, null);
  t.deepEqual(warnings, [
    'padded_vocab_size cannot be determined: the vocabulary size of a TiktokenTokenizer is only known once the tokenizer is loaded; set tokenizer_vocab_size (e.g. 50277 for the GPT-NeoX-20B tokenizer of Pythia)',
  ]);
  t.is(trainWith('{"tokenizer_type": "TiktokenTokenizer", "tokenizer_vocab_size": 100277}').config.padded_vocab_size, 100352);
});

test('schedule: lr_decay_iters from itself, lr_decay_fraction or train_iters; warmup_iters = warmup x that', (t) => {
  t.deepEqual(pick(trainWith('{"train_iters": 1000}').config), [1000, 10]);
  t.deepEqual(pick(trainWith('{"train_iters": 1000, "lr_decay_iters": 800, "warmup": 0.05}').config), [800, 40]);
  t.deepEqual(pick(trainWith('{"train_iters": 1000, "lr_decay_fraction": 0.75, "warmup": 0.1}').config), [750, 75]);
  t.deepEqual(pick(trainWith('{"train_iters": 150, "warmup": 0.01}').config), [150, 1.5]); // a float, not rounded
  const epochs = loadShow(writeConfigs({ 'model.yml': TRAINABLE, 'epochs.yml': '{"train_iters": null, "train_epochs": 2}' })).config;
  t.deepEqual([epochs.lr_decay_iters, epochs.warmup_iters], [null, null]);
});

function pick(config: { lr_decay_iters: number | null; warmup_iters: number | null }): [number | null, number | null] {
  return [config.lr_decay_iters, config.warmup_iters];
}

test('data weights default to 1.0 per path; text_gen_type follows sample_input_file', (t) => {
  const config = trainWith('{"train_data_paths": ["a", "b"], "valid_data_paths": ["a"], "test_data_paths": ["c"], "test_data_weights": [3]}').config;
  t.deepEqual([config.train_data_weights, config.valid_data_weights, config.test_data_weights], [[1, 1], [1], [3]]);
  t.is(config.text_gen_type, 'unconditional');
  t.is(trainWith('{"sample_input_file": "prompts.txt"}').config.text_gen_type, 'input-file');
  t.is(trainWith('{"sample_input_file": "prompts.txt", "text_gen_type": "interactive"}').config.text_gen_type, 'interactive');
});

test('neox blocks get every field default; given fields win', (t) => {
  const config = trainWith('{"elastic": {"max_restarts": 2, "min_world_size": 2}, "coordinator": {"address": "10.0.0.1:7000"}}', { worldSize: 4 }).config;
  t.deepEqual(config.elastic, { enabled: true, max_restarts: 2, min_world_size: 2, crash_loop_restarts: 3, restart_backoff_s: 5 });
  t.is(config.coordinator.address, '10.0.0.1:7000');
  t.is(config.coordinator.heartbeat_interval_s, 2);
  t.is(config.coordinator.heartbeat_misses, 3);
  t.is(config.actor_threads, 0);
});

test('show accepts a partial file: what training would need is a warning, derived keys stay null', (t) => {
  const [partial] = writeConfigs({ 'paths.yml': '{"data_path": "data/x_text_document", "save": "ckpt"}' });
  const { config, warnings } = loadShow([partial!]);
  t.deepEqual([config.num_layers, config.head_dim, config.train_batch_size, config.lr, config.attention_config], [null, null, null, null, null]);
  t.deepEqual([config.data_parallel_size, config.precision, config.padded_vocab_size], [1, 'fp32', 50304]);
  t.deepEqual(warnings, [
    'incomplete for training: required keys are not set: num_layers, hidden_size, num_attention_heads, max_position_embeddings, seq_length, optimizer, train_micro_batch_size_per_gpu or train_batch_size, train_iters or train_epochs; add them to a config file or with --set (a model config such as configs/pythia/70M.yml sets all of them)',
    "incomplete for training: save is set ('ckpt') but neither checkpoint_factor nor extra_save_iters is, so no step would be saved; add checkpoint_factor (e.g. 1000: every 1000 steps) or extra_save_iters",
  ]);
});

test('DeepSpeed launcher keys are accepted and reported as unused', (t) => {
  const [model, extra] = writeConfigs({ 'model.yml': TRAINABLE, 'extra.yml': '{"hostfile": "/job/hosts", "num_gpus": 8}' });
  const { config, warnings } = loadTrain([model!, extra!], { worldSize: 2 });
  t.is(config.world_size, 2);
  t.deepEqual(warnings, [`hostfile, num_gpus (${extra}) are DeepSpeed launcher keys that neox accepts but does not use: agents advertise their slots; the world size is 2 (--world-size)`]);
});
