/**
 * A checkpoint's resolved config as one process holding the whole model. Checkpoints store every
 * tensor under its global name and shape whatever the layout they were trained at (ARCHITECTURE.md,
 * "Checkpoints"), so evaluating one only needs the parallel degrees set to 1; the model keys,
 * padded_vocab_size included (it was rounded for the training's model_parallel_size), stay.
 */
import type { NeoxConfig } from './config-types';

export function singleProcessConfig(config: NeoxConfig): NeoxConfig {
  return {
    ...config,
    world_size: 1,
    global_num_gpus: 1,
    data_parallel_size: 1,
    model_parallel_size: 1,
    pipeline_stages: 1,
    is_pipe_parallel: false,
    zero_stage: 0,
    zero_optimization: { ...config.zero_optimization, stage: 0 },
  };
}
