/**
 * `neox export-hf`: a neox checkpoint as a Hugging Face model directory: config.json,
 * model.safetensors (float32) and the tokenizer files when the checkpoint's tokenizer has HF
 * files, loadable with transformers' AutoModelForCausalLM.from_pretrained.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { Checkpoint, type SafetensorsEntry, writeSafetensors } from '../../common/checkpoint';
import type { NeoxConfig } from '../../common/config';
import { FileError } from '../../common/errors';
import { createTokenizer, type Tokenizer } from '../../common/tokenizer';
import { hfExportConfig } from './export-config';
import type { HfArchitecture } from './model-shape';
import { tensorConversions } from './tensor-map';
import { checkpointHfTokenizer } from './tokenizer-files';

const TOKENIZER_CONFIG = 'tokenizer_config.json';

/**
 * A tokenizer_config.json for a checkpoint that stores none: the class transformers should build
 * from the files (tokenizer.json, or vocab.json + merges.txt) and the end-of-document token as
 * BOS and EOS (GPT-NeoX's convention).
 */
function tokenizerConfig(type: string, tokenizer: Tokenizer): Record<string, unknown> {
  const eod = tokenizer.idToToken(tokenizer.eod) ?? null;
  return {
    tokenizer_class: type === 'HFTokenizer' ? 'PreTrainedTokenizerFast' : 'GPT2Tokenizer',
    ...(eod !== null ? { bos_token: eod, eos_token: eod, unk_token: eod } : {}),
    clean_up_tokenization_spaces: false,
  };
}

export interface ExportOptions {
  /** A step of a save directory instead of its `latest`. */
  step: number | null;
}

export interface ExportResult {
  checkpoint: string;
  architecture: HfArchitecture;
  /** Files written, relative to the output directory. */
  files: string[];
  tensors: number;
  /** Why no tokenizer files were written, or null when they were. */
  tokenizerSkipped: string | null;
}

/** Refuses an output directory that already holds files (nothing is overwritten). */
export function prepareEmptyDir(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new FileError(dir, `output directory ${dir} is not empty; give a new or empty directory`);
  }
  mkdirSync(dir, { recursive: true });
}

export function exportHf(checkpointDir: string, outDir: string, options: ExportOptions): ExportResult {
  const checkpoint = Checkpoint.open(checkpointDir, { step: options.step });
  try {
    const config = checkpoint.manifest.config as unknown as NeoxConfig;
    const tokenizer = checkpointHfTokenizer(checkpoint.dir, checkpoint.manifest.config);
    const built = tokenizer ? createTokenizer(tokenizer.keys) : null;
    const eod = built ? built.eod : null;
    const { shape, json } = hfExportConfig(config, eod === null ? null : { eod });
    const entries: SafetensorsEntry[] = [];
    for (const conversion of tensorConversions(shape)) {
      const record = checkpoint.manifest.tensors[conversion.neox.name];
      if (!record) throw new FileError(checkpoint.dir, `checkpoint ${checkpoint.dir} has no tensor ${conversion.neox.name}, which its config's model has; the checkpoint is incomplete`);
      if (record.shape.join() !== conversion.neox.shape.join()) {
        throw new FileError(checkpoint.dir, `tensor ${conversion.neox.name} is [${record.shape}] in ${checkpoint.dir} but its config gives [${conversion.neox.shape}]`);
      }
      const parts = conversion.toHf(checkpoint.readTensor(conversion.neox.name) as Float32Array);
      conversion.hf.forEach((ref, i) => entries.push({ name: ref.name, dtype: 'F32', shape: ref.shape, data: parts[i]! }));
    }
    prepareEmptyDir(outDir);
    writeFileSync(join(outDir, 'config.json'), JSON.stringify(json, null, 2) + '\n');
    writeSafetensors(join(outDir, 'model.safetensors'), entries, { format: 'pt' });
    const files = ['config.json', 'model.safetensors'];
    for (const file of tokenizer?.files ?? []) {
      copyFileSync(file.source, join(outDir, file.name));
      files.push(file.name);
    }
    if (tokenizer && built && !files.includes(TOKENIZER_CONFIG)) {
      writeFileSync(join(outDir, TOKENIZER_CONFIG), JSON.stringify(tokenizerConfig(tokenizer.keys.tokenizer_type, built), null, 2) + '\n');
      files.push(TOKENIZER_CONFIG);
    }
    return {
      checkpoint: checkpoint.dir,
      architecture: shape.architecture,
      files,
      tensors: entries.length,
      tokenizerSkipped: tokenizer ? null : `tokenizer_type ${String(config.tokenizer_type)} with vocab_file ${String(config.vocab_file)} has no Hugging Face files here (HFTokenizer and GPT2BPETokenizer do)`,
    };
  } finally {
    checkpoint.close();
  }
}
