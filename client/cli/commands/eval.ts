/** `neox eval --checkpoint DIR --tasks …`: perplexity and log-likelihood tasks on a checkpoint (client/eval/). */
import { writeFileSync } from 'node:fs';

import { UsageError } from '../../../common/errors';
import { resultsTable } from '../../eval/results-table';
import { runEval } from '../../eval/run-eval';
import { parseTaskSpecs } from '../../eval/task-spec';
import type { Command, CommandContext } from '../command';
import { parseStepFlag } from '../step-flag';

function positiveInt(values: CommandContext['values'], name: string): number | null {
  const value = values[name];
  if (value === undefined) return null;
  if (typeof value !== 'string' || !/^[1-9]\d*$/.test(value)) throw new UsageError(`--${name} ${String(value)} is not a positive integer`);
  return Number(value);
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'Evaluate a checkpoint: dataset perplexity, multiple-choice and last-word tasks',
  usage: 'neox eval --checkpoint DIR --tasks KIND:PATH[,…] [--output FILE] [--step N] [--batch-size 8] [--max-length N] [--threads N]',
  help: [
    'Tasks (comma-separated; NAME=KIND:PATH names one, else the file name does):',
    '  mc:FILE.jsonl        multiple choice, lines {"question": "...", "choices": ["...", ...], "answer": 0};',
    '                       each choice scored as " " + choice after the question: acc, acc_norm',
    '  lastword:FILE.jsonl  lines {"text": "..."}; the last word (after the last space) is predicted',
    '                       from the rest: perplexity (exp of minus the mean log-likelihood), acc (greedy)',
    '  ppl:PREFIX           every document of the indexed dataset PREFIX.bin/.idx (neox preprocess):',
    '                       token_perplexity, word_perplexity, byte_perplexity, bits_per_byte',
    'Requests are built and scored as lm-evaluation-harness does (its numbers through neox serve are',
    'the same). Prints a table; --output writes the results and per-document samples as JSON.',
    '',
    '  --checkpoint DIR  a save directory (its latest checkpoint) or one checkpoint directory',
    '  --step N          the checkpoint of step N instead of latest',
    '  --output FILE     write the JSON report here',
    '  --batch-size N    rows per forward pass (default 8)',
    '  --max-length N    tokens per request, as lm-eval\'s max_length (default: the model\'s context)',
    '  --threads N       CPU threads (default: the config\'s actor_threads)',
    '',
    'Example: neox eval --checkpoint checkpoints/ --tasks mc:tasks/arc.jsonl,ppl:data/valid_text_document --output eval.json',
  ].join('\n'),
  options: {
    checkpoint: { type: 'string' },
    tasks: { type: 'string' },
    output: { type: 'string' },
    step: { type: 'string' },
    'batch-size': { type: 'string' },
    'max-length': { type: 'string' },
    threads: { type: 'string' },
  },
  async run({ values, positionals, stdout, stderr }) {
    if (positionals.length > 0) throw new UsageError(`neox eval takes no positional arguments (got ${positionals.join(' ')}); use --checkpoint DIR --tasks …`);
    if (typeof values.checkpoint !== 'string') throw new UsageError('neox eval needs --checkpoint DIR');
    if (typeof values.tasks !== 'string') throw new UsageError('neox eval needs --tasks KIND:PATH[,…] (see neox eval --help)');
    const report = await runEval({
      checkpoint: values.checkpoint,
      step: parseStepFlag(values.step),
      tasks: parseTaskSpecs(values.tasks),
      batchSize: positiveInt(values, 'batch-size') ?? 8,
      maxLength: positiveInt(values, 'max-length'),
      threads: positiveInt(values, 'threads'),
      onTask: (result) => stderr.write(`neox eval: ${result.name} done (${result.documents} documents)\n`),
    });
    stdout.write(`${report.checkpoint} (step ${report.step}, max_length ${report.max_length})\n${resultsTable(report.tasks)}\n`);
    if (typeof values.output === 'string') {
      writeFileSync(values.output, JSON.stringify(report, null, 1) + '\n');
      stdout.write(`wrote ${values.output}\n`);
    }
  },
};
