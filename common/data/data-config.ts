/**
 * The GPT-NeoX config keys the data pipeline reads (docs/gpt-neox-reference.md §5.3), in their
 * underscore form. A loaded NeoxConfig satisfies this shape; missing keys take GPT-NeoX defaults.
 */
export interface DataConfig {
  data_path?: string | null;
  train_data_paths?: readonly string[] | null;
  valid_data_paths?: readonly string[] | null;
  test_data_paths?: readonly string[] | null;
  train_data_weights?: readonly number[] | null;
  valid_data_weights?: readonly number[] | null;
  test_data_weights?: readonly number[] | null;
  train_label_data_paths?: readonly string[] | null;
  valid_label_data_paths?: readonly string[] | null;
  test_label_data_paths?: readonly string[] | null;
  label_data_paths?: readonly string[] | null;
  weight_by_num_documents?: boolean | null;
  weighted_sampler_alpha?: number | null;
  split?: string | null;
  seq_length?: number | null;
  seed?: number | null;
  pack_impl?: string | null;
  allow_chopped?: boolean | null;
  data_impl?: string | null;
  train_iters?: number | null;
  train_epochs?: number | null;
  eval_interval?: number | null;
  eval_iters?: number | null;
  train_batch_size?: number | null;
}

export const DATA_DEFAULTS = {
  split: '969, 30, 1',
  seed: 1234,
  pack_impl: 'packed',
  allow_chopped: true,
  data_impl: 'infer',
  eval_interval: 1000,
  eval_iters: 100,
  weighted_sampler_alpha: 1.0,
} as const;
