import { configToJson, configToText, loadConfigWithOrigins } from '../../../common/config';
import { UsageError } from '../../../common/errors';
import type { Command } from '../command';

function worldSizeFlag(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^-?\d+$/.test(value.trim())) throw new UsageError(`--world-size expects a whole number of ranks, got '${String(value)}'`);
  return Number(value);
}

/** `neox config show`: the fully resolved configuration of one or more GPT-NeoX YAML files. */
export const configShowCommand: Command = {
  name: 'config show',
  summary: 'Print the resolved configuration of GPT-NeoX YAML files (merged, defaulted, derived)',
  usage: 'neox config show FILE... [--set key=value]... [--world-size N] [--json]',
  help: [
    'Merges the files left to right (a later file wins, with a warning), applies the overrides, fills in',
    'defaults and derived values (data-parallel size, batch triple, precision, padded vocabulary, schedule',
    'lengths, ...) and validates them. Partial files such as a data-paths file alone are accepted; what a',
    'training run would still need is reported as warnings. Warnings go to stderr.',
    '',
    '  --set key=value  override one key (repeatable); the value is YAML: 768, 3.0e-4, true, [1, 2], {enabled: true};',
    '                   a dotted key changes one field of a block: --set optimizer.params.lr=0.0003',
    '  --world-size N   number of ranks (default: global_num_gpus from the files, else 1)',
    '  --json           print every key, sorted, as one JSON object',
    '',
    'Example: neox config show configs/pythia/70M.yml --world-size 32 --set tokenizer_vocab_size=50277',
  ].join('\n'),
  options: {
    set: { type: 'string', multiple: true },
    'world-size': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ positionals, values, stdout, stderr }) {
    if (positionals.length === 0) {
      throw new UsageError('neox config show needs at least one config file, e.g. neox config show configs/pythia/70M.yml');
    }
    const { config, origins } = loadConfigWithOrigins(positionals, {
      purpose: 'show',
      overrides: (values.set as string[] | undefined) ?? [],
      worldSize: worldSizeFlag(values['world-size']),
      onWarning: (message) => stderr.write(`neox: warning: ${message}\n`),
    });
    stdout.write(values.json ? configToJson(config) : configToText(config, origins));
  },
};
