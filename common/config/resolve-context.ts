/**
 * What every derivation and validation step receives besides the configuration: the purpose,
 * the command-line world size, where each key came from, and the two ways to report a problem.
 */
import { ConfigError } from '../errors';
import type { ConfigPurpose, KeyOrigins } from './config-types';

export class ResolveContext {
  constructor(
    readonly purpose: ConfigPurpose,
    readonly origins: KeyOrigins,
    readonly worldSizeOption: number | undefined,
    private readonly onWarning: (message: string) => void,
  ) {}

  warn(message: string): void {
    this.onWarning(message);
  }

  /**
   * Something a training run needs is missing: an error when loading for training, a warning
   * for `config show` (which must display partial files such as a data-paths file alone).
   */
  incomplete(message: string, key: string): void {
    if (this.purpose === 'train') throw new ConfigError(message, key);
    this.onWarning(`incomplete for training: ${message}`);
  }

  /** Where `key` was set: a file path, "--set", or "default". */
  originOf(key: string): string {
    return this.origins[key] ?? 'default';
  }

  isSet(key: string): boolean {
    return this.origins[key] !== undefined;
  }
}
