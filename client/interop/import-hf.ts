/**
 * `neox import-hf`: a Hugging Face GPTNeoXForCausalLM or LlamaForCausalLM directory (config.json,
 * single or sharded safetensors, tokenizer files) as a neox checkpoint at step 0 in a save
 * directory, with a resolved config built from config.json. Holds the weights only (no optimizer
 * moments): load it with `finetune: true` to train, or serve / evaluate / export it directly.
 *
 * Next to the checkpoint it writes `hf-model.yml`: the model and tokenizer keys, to put first in
 * the config files of a fine-tuning run.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { beginCheckpoint, checkpointTag, commitCheckpoint, type FileRecord, sha256File, type ShardBox, writeShard } from '../../common/checkpoint';
import { loadConfig, type NeoxConfig } from '../../common/config';
import { FileError } from '../../common/errors';
import { TOKENIZER_DIR } from '../../node/actor/engine-checkpoint';
import { initialTrainerState } from '../../node/actor/trainer-state';
import { HfConversionError } from './errors';
import { prepareEmptyDir } from './export-hf';
import { hfExportConfig } from './export-config';
import { importConfig } from './import-config';
import { HfWeights } from './hf-weights';
import type { HfArchitecture } from './model-shape';
import { HF_ALIASES, isHfBuffer, tensorConversions } from './tensor-map';
import { hfDirTokenizer } from './tokenizer-files';

export const MODEL_KEYS_FILE = 'hf-model.yml';

/**
 * Training keys the resolved config needs that a model directory does not say; a fine-tuning run
 * brings its own. Overridden by `configFiles`.
 */
const TRAINING_PLACEHOLDERS = [
  'train_micro_batch_size_per_gpu=1',
  'gradient_accumulation_steps=1',
  'train_iters=0',
  'optimizer={type: Adam, params: {lr: 0.0001}}',
];

export interface ImportOptions {
  /** More GPT-NeoX config files merged after the model keys (e.g. the training settings). */
  configFiles: string[];
  seed: number;
}

export interface ImportResult {
  checkpoint: string;
  architecture: HfArchitecture;
  tensors: number;
  modelKeysFile: string;
  tokenizer: string | null;
}

function readHfConfig(dir: string): Record<string, unknown> {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) throw new FileError(path, `${dir} has no config.json; give a Hugging Face model directory (config.json + model.safetensors)`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new FileError(path, `${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Reads HF tensor `name` (or an alias of it), checking its shape. */
function readHf(weights: HfWeights, name: string, shape: number[], used: Set<string>): Float32Array {
  const found = [name, ...(HF_ALIASES[name] ?? [])].find((n) => weights.has(n));
  if (found === undefined) throw new FileError(weights.dir, `the weights in ${weights.dir} have no tensor ${name}, which config.json's model needs`);
  const actual = weights.shape(found);
  if (actual.join() !== shape.join()) {
    throw new FileError(weights.dir, `tensor ${found} in ${weights.dir} has shape [${actual}] but config.json implies [${shape}]`);
  }
  used.add(found);
  return weights.read(found);
}

export function importHf(hfDir: string, saveDir: string, options: ImportOptions): ImportResult {
  const dir = resolve(hfDir);
  const out = resolve(saveDir);
  const imported = importConfig(readHfConfig(dir), join(dir, 'config.json'));
  const weights = HfWeights.open(dir);
  try {
    const tokenizer = hfDirTokenizer(dir);
    const storedTokenizer = (name: string) => join(out, checkpointTag(0), TOKENIZER_DIR, name);
    const keys: Record<string, unknown> = { ...imported.keys, seq_length: imported.keys.max_position_embeddings };
    if (tokenizer) {
      keys.tokenizer_type = tokenizer.keys.tokenizer_type;
      keys.vocab_file = storedTokenizer(tokenizer.files[0]!.name);
      if (tokenizer.keys.merge_file !== null) keys.merge_file = storedTokenizer('merges.txt');
    }
    prepareEmptyDir(out);
    const modelKeysFile = join(out, MODEL_KEYS_FILE);
    writeFileSync(modelKeysFile, `# neox model keys from ${join(dir, 'config.json')} (neox import-hf)\n${JSON.stringify(keys, null, 2)}\n`);
    const config: NeoxConfig = loadConfig([modelKeysFile, ...options.configFiles], {
      overrides: options.configFiles.length === 0 ? TRAINING_PLACEHOLDERS : [],
    });
    const { shape } = hfExportConfig(config, null);
    if (shape.architecture !== imported.architecture) {
      throw new HfConversionError('config', `the config files turn the ${imported.architecture} of ${dir} into a ${shape.architecture}; leave the model keys of ${MODEL_KEYS_FILE} as they are`);
    }

    const used = new Set<string>();
    const boxes: ShardBox[] = tensorConversions(shape).map((conversion) => {
      const data = conversion.toNeox(conversion.hf.map((ref) => readHf(weights, ref.name, ref.shape, used)));
      const zeros = conversion.neox.shape.map(() => 0);
      return { name: conversion.neox.name, dtype: 'F32', globalShape: conversion.neox.shape, start: zeros, shape: conversion.neox.shape, data };
    });
    const tiedOutput = (name: string) => shape.tied && (name === 'lm_head.weight' || name === 'embed_out.weight');
    const unused = weights.names().filter((name) => !used.has(name) && !isHfBuffer(name) && !tiedOutput(name));
    if (unused.length > 0) {
      throw new HfConversionError('weights', `${dir} has tensors with no place in a neox ${imported.architecture}: ${unused.slice(0, 5).join(', ')}${unused.length > 5 ? `, … (${unused.length})` : ''}; is config.json the one for these weights?`);
    }

    const temporary = beginCheckpoint(out, 0);
    const report = writeShard(temporary, 'rank_00000.safetensors', boxes);
    const extraFiles: Record<string, FileRecord> = {};
    if (tokenizer) {
      mkdirSync(join(temporary, TOKENIZER_DIR));
      for (const file of tokenizer.files) {
        const relative = `${TOKENIZER_DIR}/${file.name}`;
        copyFileSync(file.source, join(temporary, relative));
        extraFiles[relative] = { bytes: statSync(join(temporary, relative)).size, sha256: sha256File(join(temporary, relative)) };
      }
    }
    const checkpoint = commitCheckpoint(out, temporary, [report], {
      step: 0,
      trainerState: { ...initialTrainerState(options.seed) },
      config: config as unknown as Record<string, unknown>,
      topology: { world_size: 1, data_parallel_size: 1, model_parallel_size: 1, pipe_parallel_size: 1, zero_stage: 0 },
      extraFiles,
    });
    return { checkpoint, architecture: imported.architecture, tensors: boxes.length, modelKeysFile, tokenizer: tokenizer?.keys.tokenizer_type ?? null };
  } finally {
    weights.close();
  }
}
