/**
 * Training precision (reference §3.8): fp16.enabled gives fp16, bf16.enabled gives bfloat16, an
 * explicit `precision` must agree with them, and without any of these it is fp32. The matching
 * DeepSpeed block is switched on, so `precision: bfloat16` alone yields bf16: {enabled: true}.
 */
import { ConfigError } from '../errors';
import type { Precision, RegistryValues } from './config-types';
import type { ResolveContext } from './resolve-context';

function enabled(block: Record<string, unknown> | null): boolean {
  return block !== null && block.enabled === true;
}

export function derivePrecision(config: RegistryValues, context: ResolveContext): void {
  const explicit = config.precision;
  const fp16 = enabled(config.fp16);
  const bf16 = enabled(config.bf16);
  if (fp16 && bf16) {
    throw new ConfigError(`fp16.enabled (${context.originOf('fp16')}) and bf16.enabled (${context.originOf('bf16')}) are both true; enable only one`, 'precision');
  }
  const fromBlock: Precision | null = fp16 ? 'fp16' : bf16 ? 'bfloat16' : null;
  if (fromBlock !== null && explicit !== null && explicit !== fromBlock) {
    const block = fp16 ? 'fp16' : 'bf16';
    throw new ConfigError(
      `precision '${explicit}' (${context.originOf('precision')}) contradicts ${block}.enabled: true (${context.originOf(block)}); remove precision or set it to ${fromBlock}`,
      'precision',
    );
  }
  const precision: Precision = fromBlock ?? explicit ?? 'fp32';
  if (config.fp16 !== null && config.fp16.type === 'bfloat16') {
    context.warn(
      `fp16.type 'bfloat16' in ${context.originOf('fp16')} is not read: precision is ${precision} (GPT-NeoX derives it from fp16.enabled); ` +
        'to train in bfloat16 set precision: bfloat16 and drop the fp16 block',
    );
  }
  if (precision === 'fp16') config.fp16 = { ...(config.fp16 ?? {}), enabled: true };
  if (precision === 'bfloat16') config.bf16 = { ...(config.bf16 ?? {}), enabled: true };
  config.precision = precision;
}
