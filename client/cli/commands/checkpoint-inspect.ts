/** `neox checkpoint inspect DIR`: what a checkpoint holds. */
import { Checkpoint } from '../../../common/checkpoint';
import { UsageError } from '../../../common/errors';
import type { Command } from '../command';
import { parseStepFlag } from '../step-flag';

export const checkpointInspectCommand: Command = {
  name: 'checkpoint inspect',
  summary: 'List the tensors, shapes, step and topology of a checkpoint',
  usage: 'neox checkpoint inspect DIR [--step N] [--verify] [--json]',
  help: [
    'DIR is a save directory (the checkpoint named by its "latest" file is shown) or one checkpoint',
    'directory (global_stepN).',
    '',
    '  --step N  the checkpoint of step N instead of latest',
    '  --verify  also check every file against its size and SHA-256 in the manifest',
    '  --json    print one JSON object: step, topology, trainer_state, tensors {name: {dtype, shape, boxes}}, files',
  ].join('\n'),
  options: { step: { type: 'string' }, verify: { type: 'boolean' }, json: { type: 'boolean' } },
  async run({ positionals, values, stdout }) {
    if (positionals.length !== 1) throw new UsageError('neox checkpoint inspect takes one DIR');
    const checkpoint = Checkpoint.open(positionals[0]!, { step: parseStepFlag(values.step), verify: values.verify === true });
    try {
      const { manifest } = checkpoint;
      if (values.json) {
        const { config: _config, ...rest } = manifest;
        stdout.write(JSON.stringify({ directory: checkpoint.dir, verified: values.verify === true, ...rest }, null, 1) + '\n');
        return;
      }
      const t = manifest.topology;
      const bytes = Object.values(manifest.files).reduce((sum, f) => sum + f.bytes, 0);
      const names = Object.keys(manifest.tensors).sort();
      const width = Math.max(...names.map((n) => n.length), 4);
      const lines = [
        `checkpoint  ${checkpoint.dir}${values.verify ? ' (checksums verified)' : ''}`,
        `step        ${manifest.step}`,
        `saved       ${new Date(manifest.created_unix_ms).toISOString()}`,
        `topology    world ${t.world_size} = dp ${t.data_parallel_size} x pp ${t.pipe_parallel_size} x tp ${t.model_parallel_size}, ZeRO stage ${t.zero_stage}`,
        `files       ${Object.keys(manifest.files).length} (${bytes.toLocaleString('en-US')} bytes)`,
        `tensors     ${names.length}`,
        '',
        ...names.map((name) => {
          const record = manifest.tensors[name]!;
          return `  ${name.padEnd(width)}  ${record.dtype}  [${record.shape.join(', ')}]  ${record.boxes.length} box${record.boxes.length === 1 ? '' : 'es'}`;
        }),
      ];
      stdout.write(lines.join('\n') + '\n');
    } finally {
      checkpoint.close();
    }
  },
};
