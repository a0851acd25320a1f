/**
 * Errors shared by every neox package. Each class says when it is thrown and carries the data a
 * caller needs; `code` is stable and is what tools (and the gRPC layer) switch on.
 */

/** Base class: every error neox raises on purpose. The message is one line that names the fix. */
export class NeoxError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Thrown when a configuration file or value is missing, malformed or inconsistent. */
export class ConfigError extends NeoxError {
  /** The configuration key at fault (underscore form), when one key is. */
  readonly key: string | null;
  constructor(message: string, key: string | null = null, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
    this.key = key;
  }
}

/** Thrown when a command line is wrong: unknown command or flag, missing argument. */
export class UsageError extends NeoxError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** Thrown when a file the user named cannot be read or is not what it claims to be. */
export class FileError extends NeoxError {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('FILE', message, options);
    this.path = path;
  }
}

/** One-line description of any thrown value, for CLIs and logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}
