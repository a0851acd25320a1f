/**
 * World size and the parallel layout (reference §3.5, §5.2): world = global_num_gpus, or
 * --world-size, or 1; pipeline stages = max(pipe_parallel_size, 1); data-parallel size =
 * world / (stages x model_parallel_size), which must be whole.
 */
import { ConfigError } from '../errors';
import type { RegistryValues } from './config-types';
import { ratio } from './describe-values';
import { KEY_REGISTRY } from './key-registry';
import type { ResolveContext } from './resolve-context';

/** DeepSpeed launcher keys GPT-NeoX reads to count GPUs from a hostfile; neox does not use them. */
const HOSTFILE_KEYS = ['hostfile', 'include', 'exclude', 'num_nodes', 'num_gpus'] as const;

function worldSize(config: RegistryValues, context: ResolveContext): { world: number; source: string } {
  const option = context.worldSizeOption;
  if (option !== undefined) {
    if (!Number.isInteger(option) || option < 1) throw new ConfigError(`--world-size must be a positive integer, got ${option}`, 'global_num_gpus');
    return { world: option, source: '--world-size' };
  }
  if (config.global_num_gpus !== null) return { world: config.global_num_gpus, source: `global_num_gpus in ${context.originOf('global_num_gpus')}` };
  return { world: 1, source: 'the default; set --world-size or global_num_gpus' };
}

function warnUnusedHostfileKeys(config: RegistryValues, world: number, source: string, context: ResolveContext): void {
  const used = HOSTFILE_KEYS.filter((key) => context.isSet(key) && config[key] !== KEY_REGISTRY[key].default);
  if (used.length === 0) return;
  const where = [...new Set(used.map((key) => context.originOf(key)))].join(', ');
  context.warn(
    `${used.join(', ')} (${where}) ${used.length === 1 ? 'is a DeepSpeed launcher key' : 'are DeepSpeed launcher keys'} that neox accepts but does not use: ` +
      `agents advertise their slots; the world size is ${world} (${source})`,
  );
}

export function deriveTopology(config: RegistryValues, context: ResolveContext): void {
  const { world, source } = worldSize(config, context);
  const tensorParallel = Math.max(config.model_parallel_size, 1); // GPT-NeoX reads 0 as 1
  const stages = Math.max(config.pipe_parallel_size, 1);
  const modelGroup = stages * tensorParallel;
  if (world % modelGroup !== 0) {
    throw new ConfigError(
      `world size ${world} (${source}) is not divisible by pipeline stages ${stages} x model_parallel_size ${tensorParallel} = ${modelGroup} ` +
        `(${world} / ${modelGroup} = ${ratio(world, modelGroup)} data-parallel replicas); ` +
        `use a world size that is a multiple of ${modelGroup} (--world-size or global_num_gpus), or lower pipe_parallel_size or model_parallel_size`,
      'global_num_gpus',
    );
  }
  warnUnusedHostfileKeys(config, world, source, context);
  config.global_num_gpus = world;
  config.world_size = world;
  config.model_parallel_size = tensorParallel;
  config.pipeline_stages = stages;
  config.data_parallel_size = world / modelGroup;
  config.is_pipe_parallel = config.pipe_parallel_size >= 1;
}
