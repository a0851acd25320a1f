/** `neox import-hf DIR OUT`: a Hugging Face model directory as a neox checkpoint (client/interop/). */
import { UsageError } from '../../../common/errors';
import { importHf } from '../../interop/import-hf';
import type { Command } from '../command';

export const importHfCommand: Command = {
  name: 'import-hf',
  summary: 'Read a Hugging Face GPTNeoXForCausalLM or LlamaForCausalLM into a neox checkpoint',
  usage: 'neox import-hf DIR OUT [--config FILE]... [--seed N]',
  help: [
    'DIR holds config.json and model.safetensors, or shards listed in model.safetensors.index.json',
    '(float32, float16 or bfloat16; stored as float32), and optionally tokenizer files (tokenizer.json,',
    'or vocab.json + merges.txt), which are copied into the checkpoint. OUT (new or empty) becomes a',
    'save directory holding the checkpoint global_step0 (weights only) and hf-model.yml, the model and',
    'tokenizer keys as GPT-NeoX YAML.',
    '',
    'Fine-tune it with load: OUT and finetune: true, putting hf-model.yml first among the config files.',
    'neox serve --checkpoint OUT, neox eval --checkpoint OUT and neox export-hf OUT read it directly.',
    '',
    '  --config FILE  training settings merged after the model keys into the checkpoint\'s resolved',
    '                 config (repeatable); without it: micro batch 1, Adam lr 1e-4, train_iters 0',
    '  --seed N       the seed recorded in the trainer state (default 1234)',
  ].join('\n'),
  options: { config: { type: 'string', multiple: true }, seed: { type: 'string' } },
  async run({ positionals, values, stdout }) {
    if (positionals.length !== 2) throw new UsageError(`neox import-hf takes DIR and OUT (got ${positionals.length} arguments)`);
    const seedText = typeof values.seed === 'string' ? values.seed : '1234';
    if (!/^\d+$/.test(seedText)) throw new UsageError(`--seed ${seedText} is not a seed; give a non-negative integer`);
    const configFiles = (values.config as string[] | undefined) ?? [];
    const result = importHf(positionals[0]!, positionals[1]!, { configFiles, seed: Number(seedText) });
    stdout.write(
      `imported ${result.architecture} (${result.tensors} tensors) into ${result.checkpoint}; ` +
        `model keys in ${result.modelKeysFile}; tokenizer: ${result.tokenizer ?? 'none found'}\n`,
    );
  },
};
