/**
 * The shape every CLI command has. A command parses nothing itself: main.ts parses its flags
 * with node:util parseArgs (strict) from `options`, then calls `run`.
 */
import type { ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  positionals: string[];
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  verbose: boolean;
}

export interface Command {
  /** Words after `neox`, e.g. "config show". */
  name: string;
  /** One line for `neox --help`. */
  summary: string;
  /** Usage line(s) without the leading "usage: ". */
  usage: string;
  /** Longer help: what it does, each flag, an example. */
  help: string;
  options: OptionSpec;
  /** Returns the process exit code (default 0). Throws NeoxError for user-facing failures. */
  run(context: CommandContext): Promise<number | void>;
}
