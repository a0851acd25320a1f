#!/usr/bin/env node
/**
 * `neox`: the command line. Finds the command from the leading words, parses its flags strictly,
 * runs it, and turns any error into one line on stderr and a non-zero exit (a stack trace only
 * with --verbose).
 */
import { parseArgs } from 'node:util';

import { describeError, UsageError } from '../../common/errors';
import type { Command } from './command';
import { commands } from './commands';

const GLOBAL_HELP_FLAGS = new Set(['-h', '--help']);

function findCommand(words: string[]): { command: Command; consumed: number } | null {
  let best: { command: Command; consumed: number } | null = null;
  for (const command of commands) {
    const parts = command.name.split(' ');
    if (parts.every((part, i) => words[i] === part) && (!best || parts.length > best.consumed)) {
      best = { command, consumed: parts.length };
    }
  }
  return best;
}

function overview(prefix = ''): string {
  const shown = commands.filter((c) => c.name.startsWith(prefix));
  const width = Math.max(...shown.map((c) => c.name.length));
  const lines = shown.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: neox <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Global options:',
    '  -h, --help     show help (also after a command: neox config show --help)',
    '  --verbose      print stack traces with errors',
    '  --version      print the version',
  ].join('\n');
}

function commandHelp(command: Command): string {
  return `usage: ${command.usage}\n\n${command.summary}.\n\n${command.help}\n`;
}

export async function main(argv: string[], io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const verbose = argv.includes('--verbose');
  const args = argv.filter((a) => a !== '--verbose');
  try {
    if (args.length === 0 || (args.length === 1 && GLOBAL_HELP_FLAGS.has(args[0]!))) {
      io.stdout.write(overview() + '\n');
      return 0;
    }
    if (args[0] === '--version') {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      io.stdout.write(`neox ${(require('../../../package.json') as { version: string }).version}\n`);
      return 0;
    }
    const found = findCommand(args);
    if (!found) {
      const group = commands.filter((c) => c.name.startsWith(args[0] + ' '));
      if (group.length > 0 && (args.length === 1 || GLOBAL_HELP_FLAGS.has(args[1]!))) {
        io.stdout.write(overview(args[0] + ' ') + '\n');
        return args.length === 1 ? 2 : 0;
      }
      throw new UsageError(`unknown command "${args.slice(0, group.length > 0 ? 2 : 1).join(' ')}"; run "neox --help" to list the commands`);
    }
    const { command, consumed } = found;
    const rest = args.slice(consumed);
    if (rest.some((a) => GLOBAL_HELP_FLAGS.has(a))) {
      io.stdout.write(commandHelp(command));
      return 0;
    }
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError(`${describeError(error)} (neox ${command.name}; see "neox ${command.name} --help")`);
    }
    const code = await command.run({
      positionals: parsed.positionals,
      values: parsed.values,
      stdout: io.stdout,
      stderr: io.stderr,
      verbose,
    });
    return code ?? 0;
  } catch (error) {
    io.stderr.write(`neox: error: ${describeError(error)}\n`);
    if (verbose && error instanceof Error && error.stack) io.stderr.write(error.stack + '\n');
    return error instanceof UsageError ? 2 : 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`neox: internal error: ${describeError(error)}\n`);
      process.exitCode = 1;
    },
  );
}
