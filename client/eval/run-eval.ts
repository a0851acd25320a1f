/**
 * `neox eval`: loads a checkpoint's weights into a native engine (its resolved config, the
 * tokenizer stored with it) and runs each task on it, scoring with batched `Engine.logits`.
 */
import { Checkpoint } from '../../common/checkpoint';
import type { NeoxConfig } from '../../common/config';
import { IndexedDataset } from '../../common/data';
import { UsageError } from '../../common/errors';
import { createTokenizer } from '../../common/tokenizer';
import { createEngine } from '../../native/ts/native';
import { loadEngineCheckpoint } from '../../node/actor/engine-checkpoint';
import { checkpointTokenizerKeys } from '../interop/tokenizer-files';
import { runLastWord } from './last-word';
import { runMultipleChoice } from './multiple-choice';
import { runPerplexity } from './perplexity';
import { readLastWord, readMultipleChoice } from './task-files';
import { LoglikelihoodScorer } from './scorer';
import { singleProcessConfig } from './single-process-config';
import type { TaskContext, TaskResult } from './task-result';
import type { TaskKind, TaskSpec } from './task-spec';

export interface EvalOptions {
  checkpoint: string;
  step: number | null;
  tasks: TaskSpec[];
  /** Rows per engine call. */
  batchSize: number;
  /**
   * lm-eval's `max_length` model argument (null: the model's context). As lm-eval 0.4.13's API
   * models do, one position is kept for a generated token: a request keeps its last
   * max_length − 1 tokens and rolling windows predict max_length − 2 tokens.
   */
  maxLength: number | null;
  /** Engine threads; null: the config's actor_threads. */
  threads: number | null;
  /** Called once per finished task. */
  onTask?: (result: TaskResult) => void;
}

export interface EvalReport {
  checkpoint: string;
  step: number;
  max_length: number;
  tasks: TaskResult[];
}

const RUNNERS: Record<TaskKind, (name: string, path: string, context: TaskContext) => Promise<TaskResult>> = {
  mc: runMultipleChoice,
  lastword: runLastWord,
  ppl: runPerplexity,
};

/** Reads every task's input once before the model loads, so a bad file fails fast. */
const CHECKS: Record<TaskKind, (path: string) => void> = {
  mc: (path) => void readMultipleChoice(path),
  lastword: (path) => void readLastWord(path),
  ppl: (prefix) => IndexedDataset.open(prefix).close(),
};

/** Positions the engine reads: learned embeddings limit them; rotary goes to the larger of seq_length and max_position_embeddings. */
export function modelContext(config: NeoxConfig): number {
  return config.pos_emb === 'learned' ? config.max_position_embeddings - (config.opt_pos_emb_offset ?? 0) : Math.max(config.seq_length, config.max_position_embeddings);
}

export async function runEval(options: EvalOptions): Promise<EvalReport> {
  // The manifest only (loadEngineCheckpoint verifies the files once).
  const checkpoint = Checkpoint.open(options.checkpoint, { step: options.step, verify: false });
  const { dir, step } = checkpoint;
  const config = singleProcessConfig(checkpoint.manifest.config as unknown as NeoxConfig);
  checkpoint.close();
  const tokenizer = createTokenizer(checkpointTokenizerKeys(dir, config as unknown as Record<string, unknown>));
  const context = modelContext(config);
  const maxLength = options.maxLength ?? context;
  if (maxLength > context || maxLength < 3) throw new UsageError(`--max-length ${maxLength} is outside 3 … ${context} (the model's context); give a value in that range`);
  const requestLength = maxLength - 1;
  for (const task of options.tasks) CHECKS[task.kind](task.path);
  const engine = await createEngine(config, { threads: options.threads, seed: null });
  try {
    loadEngineCheckpoint(dir, engine, { finetune: true, noLoadOptim: true, step: null, seed: config.seed });
    const scorer = new LoglikelihoodScorer(engine, { vocabSize: config.padded_vocab_size!, maxLength: requestLength, batchSize: options.batchSize });
    const taskContext: TaskContext = { tokenizer, scorer, prefix: tokenizer.eod, requestLength };
    const results: TaskResult[] = [];
    for (const task of options.tasks) {
      const result = await RUNNERS[task.kind](task.name, task.path, taskContext);
      options.onTask?.(result);
      results.push(result);
    }
    return { checkpoint: dir, step, max_length: maxLength, tasks: results };
  } finally {
    engine.close();
  }
}
