/**
 * What a finished run reports, from one process or from rank 0 of several (LocalRunResult without
 * the engine), and the one-line description of the model it trains.
 */
import type { NeoxConfig } from '../../common/config';
import type { TrainerState } from './trainer-state';
import type { TrainingOutcome } from './training-loop';

export interface RunReport {
  /** Iteration the run started from (0, or the loaded checkpoint's). */
  startIteration: number;
  /** Where the run stopped. */
  state: TrainerState;
  outcome: TrainingOutcome;
  /** Checkpoint directory loaded from, if any. */
  loadedFrom: string | null;
  /** Wall seconds of the training loop alone. */
  trainSeconds: number;
}

/**
 * "model: 3.42M parameters (4 layers, …), CharLevelTokenizer, batch 16×256 tokens, 2 threads" (+ the
 * layout of several ranks). `parameters`: what the describing engine holds, the whole model unless
 * tensor or pipeline parallelism splits it (then said to be rank 0's share).
 */
export function describeModel(config: NeoxConfig, parameters: number, threads: number): string {
  const split = config.model_parallel_size > 1 || config.pipeline_stages > 1;
  const millions = `${(parameters / 1e6).toFixed(parameters < 1e7 ? 2 : 1)}M parameters${split ? ' on rank 0' : ''}`;
  const ranks = config.world_size ?? 1;
  const compute = ranks > 1
    ? `${ranks} processes (dp ${config.data_parallel_size} × tp ${config.model_parallel_size} × pp ${config.pipeline_stages}) × ${threads} thread${threads === 1 ? '' : 's'}`
    : `${threads} thread${threads === 1 ? '' : 's'}`;
  return `model: ${millions} (${config.num_layers} layers, hidden ${config.hidden_size}, ${config.num_attention_heads} heads, ` +
    `seq ${config.seq_length}), ${config.tokenizer_type}, batch ${config.train_batch_size}×${config.seq_length} tokens, ${compute}`;
}
