import test from 'ava';

import { loadTrain, loadWithOrigins, TRAINABLE, writeConfigs } from './write-configs';

test('files merge left to right: the later file wins and the warning names both files and values', (t) => {
  const [base, change] = writeConfigs({ 'base.yml': TRAINABLE, 'change.yml': '{"train_iters": 2000, "seed": 7}' });
  const { config, warnings } = loadTrain([base!, change!]);
  t.is(config.train_iters, 2000);
  t.is(config.seed, 7);
  t.deepEqual(warnings, [`train_iters is set in both ${base} (100) and ${change} (2000); ${change}, the later file, wins (GPT-NeoX would refuse the duplicate)`]);

  const reversed = loadTrain([change!, base!]);
  t.is(reversed.config.train_iters, 100);
});

test('dashes and underscores in top-level keys are the same key; nested keys are left alone', (t) => {
  const dashed = TRAINABLE.replace(/"([a-z_]+)":/g, (_m, key: string) => `"${key === 'lr' || key === 'type' || key === 'params' ? key : key.replace(/_/g, '-')}":`);
  t.true(dashed.includes('"num-attention-heads"'));
  const [underscore, dash] = writeConfigs({ 'u.yml': TRAINABLE, 'd.yml': dashed });
  t.deepEqual(loadTrain([dash!]).config, loadTrain([underscore!]).config);

  const [nested] = writeConfigs({ 'n.yml': TRAINABLE.replace('"optimizer": {"type": "Adam", "params": {"lr": 0.001}}', '"optimizer": {"type": "Adam", "params": {"lr": 0.001, "weight-decay": 0.0}}') });
  t.deepEqual(loadTrain([nested!]).config.optimizer.params, { lr: 0.001, 'weight-decay': 0.0 });
});

test('one key twice in one file, in dash and underscore form: the later wins, with a warning', (t) => {
  const [file] = writeConfigs({ 'twice.yml': TRAINABLE.replace('"train_iters": 100,', '"train_iters": 100,\n  "train-iters": 300,') });
  const { config, warnings } = loadTrain([file!]);
  t.is(config.train_iters, 300);
  t.deepEqual(warnings, [`train_iters is given twice in ${file} ('train_iters' on line 9, 'train-iters' on line 10); the later one wins`]);
});

test('--set overrides apply after the files: scalars, lists, dashed keys and dotted fields', (t) => {
  const [base] = writeConfigs({ 'base.yml': TRAINABLE });
  const { config, warnings } = loadTrain([base!], {
    overrides: ['hidden-size=128', 'train_iters=5e3', 'extra_save_iters=[0, 10]', 'optimizer.params.lr=3e-4', 'fp16={enabled: true}', 'save=out', 'checkpoint_factor=500'],
  });
  t.deepEqual(warnings, []);
  t.is(config.hidden_size, 128);
  t.is(config.head_dim, 32);
  t.is(config.train_iters, 5000);
  t.deepEqual(config.extra_save_iters, [0, 10]);
  t.is(config.lr, 0.0003);
  t.deepEqual(config.optimizer, { type: 'Adam', params: { lr: 0.0003 } });
  t.is(config.precision, 'fp16');
  t.is(config.save, 'out');
});

test('origins say which file, override or derivation produced each value', (t) => {
  const [base, extra] = writeConfigs({ 'base.yml': TRAINABLE, 'extra.yml': '{"seed": 5}' });
  const { origins } = loadWithOrigins([base!, extra!], { overrides: ['num_layers=4'], worldSize: 2 });
  t.is(origins.hidden_size, base);
  t.is(origins.seed, extra);
  t.is(origins.num_layers, '--set');
  t.is(origins.global_num_gpus, '--world-size');
  t.is(origins.train_batch_size, 'derived');
  t.is(origins.head_dim, 'derived');
  t.is(origins.weight_decay, 'default');
});

test('a file name without extension is found with .yml appended', (t) => {
  const [file] = writeConfigs({ 'model.yml': TRAINABLE });
  t.is(loadTrain([file!.replace(/\.yml$/, '')]).config.num_layers, 2);
});

test('an empty file adds nothing', (t) => {
  const [base, empty] = writeConfigs({ 'base.yml': TRAINABLE, 'empty.yml': '' });
  t.deepEqual(loadTrain([base!, empty!]).config, loadTrain([base!]).config);
});

test('unknown keys are dropped with a warning suggesting the nearest known key', (t) => {
  const [base] = writeConfigs({ 'base.yml': TRAINABLE.replace('"train_iters": 100,', '"train_iters": 100,\n  "hiden_size": 96,\n  "frobnicate": 1,') });
  const { config, warnings } = loadTrain([base!], { overrides: ['elastic={max_restart: 2}'] });
  t.false('hiden_size' in config);
  t.deepEqual(warnings, [
    `unknown key 'hiden_size' in ${base}; did you mean 'hidden_size'? (ignored)`,
    `unknown key 'frobnicate' in ${base} (ignored); configs/README.md lists the accepted keys`,
    "unknown key 'elastic.max_restart' in --set; did you mean 'elastic.max_restarts'? (ignored)",
  ]);
  t.is(config.elastic.max_restarts, 10);
});
