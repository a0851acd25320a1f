/**
 * Data and generation defaults (reference §5.2): each dataset list without weights gets 1.0 per
 * path, and text_gen_type defaults to input-file when sample_input_file is set, else unconditional.
 */
import type { RegistryValues } from './config-types';

const SPLITS = ['train', 'valid', 'test'] as const;

export function deriveDataDefaults(config: RegistryValues): void {
  for (const split of SPLITS) {
    const paths = config[`${split}_data_paths`];
    if (paths !== null && config[`${split}_data_weights`] === null) config[`${split}_data_weights`] = paths.map(() => 1.0);
  }
  if (config.text_gen_type === null) config.text_gen_type = config.sample_input_file ? 'input-file' : 'unconditional';
}
