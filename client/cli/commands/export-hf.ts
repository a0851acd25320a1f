/** `neox export-hf CHECKPOINT OUT`: a checkpoint as a Hugging Face model directory (client/interop/). */
import { UsageError } from '../../../common/errors';
import { exportHf } from '../../interop/export-hf';
import type { Command } from '../command';
import { parseStepFlag } from '../step-flag';

export const exportHfCommand: Command = {
  name: 'export-hf',
  summary: 'Write a checkpoint as a Hugging Face model (GPTNeoXForCausalLM or LlamaForCausalLM)',
  usage: 'neox export-hf CHECKPOINT OUT [--step N]',
  help: [
    'CHECKPOINT is a save directory (its "latest" checkpoint) or one checkpoint directory. OUT (new or',
    'empty) receives config.json, model.safetensors (float32) and the tokenizer files (tokenizer.json',
    'for HFTokenizer; vocab.json and merges.txt for GPT2BPETokenizer).',
    '',
    'layernorm + gelu models become GPTNeoXForCausalLM (Pythia style; parallel or sequential residual),',
    'rmsnorm + swiglu models LlamaForCausalLM (grouped-query attention allowed). Any other setting is',
    'refused, naming the config key that has no Hugging Face equivalent.',
    '',
    '  --step N  export the checkpoint of step N instead of latest',
    '',
    'Example: neox export-hf checkpoints/ hf-out/ && python -c "import transformers;',
    '  transformers.AutoModelForCausalLM.from_pretrained(\'hf-out\')"',
  ].join('\n'),
  options: { step: { type: 'string' } },
  async run({ positionals, values, stdout }) {
    if (positionals.length !== 2) throw new UsageError(`neox export-hf takes CHECKPOINT and OUT (got ${positionals.length} arguments)`);
    const result = exportHf(positionals[0]!, positionals[1]!, { step: parseStepFlag(values.step) });
    stdout.write(`exported ${result.checkpoint} as ${result.architecture} (${result.tensors} tensors) to ${positionals[1]}: ${result.files.join(', ')}\n`);
    if (result.tokenizerSkipped !== null) stdout.write(`no tokenizer files written: ${result.tokenizerSkipped}\n`);
  },
};
