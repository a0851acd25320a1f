/**
 * Structured logs (pino) for long-running processes. The CLI prints human text instead; services
 * (coordinator, agent, actor) log JSON lines to stderr so a supervisor can collect them.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import pino from 'pino';

export type Logger = pino.Logger;

export interface LoggerOptions {
  /** Component name put on every line, e.g. "coordinator". */
  name: string;
  /** @default process.env.NEOX_LOG_LEVEL ?? "info" */
  level?: string;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    { name: options.name, level: options.level ?? process.env.NEOX_LOG_LEVEL ?? 'info' },
    pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that appends JSON lines to `path` (its directory is created), for a run's log_dir. */
export function createFileLogger(options: LoggerOptions & { path: string }): Logger {
  mkdirSync(dirname(options.path), { recursive: true });
  return pino(
    { name: options.name, level: options.level ?? process.env.NEOX_LOG_LEVEL ?? 'info' },
    pino.destination({ dest: options.path, append: true, sync: true }),
  );
}
