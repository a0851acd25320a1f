/** Errors of the Hugging Face export and import (client/interop/). */
import { NeoxError } from '../../common/errors';

/**
 * A model that has no Hugging Face equivalent (export), or a Hugging Face model neox cannot
 * represent (import). `key` names the setting at fault: a neox config key on export, a
 * config.json field on import.
 */
export class HfConversionError extends NeoxError {
  readonly key: string;
  constructor(key: string, message: string) {
    super('HF_CONVERSION', message);
    this.key = key;
  }
}
