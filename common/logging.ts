/**
 * Structured logs (pino) for long-running processes. The CLI prints human text instead; services
 * (coordinator, agent, actor) log JSON lines to stderr so a supervisor can collect them.
 */
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
