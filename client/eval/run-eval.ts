/**
 * `neox eval`: loads a checkpoint's weights into a native engine (its resolved config, the
 * tokenizer stored with it) and runs each task on it, scoring with batched `Engine.logits`.
 */
import { IndexedDataset } from '../../common/data';
import { UsageError } from '../../common/errors';
import { loadModelEngine, openCheckpointModel } from '../checkpoint/checkpoint-model';
import { runLastWord } from './last-word';
import { runMultipleChoice } from './multiple-choice';
import { runPerplexity } from './perplexity';
import { readLastWord, readMultipleChoice } from './task-files';
import { LoglikelihoodScorer } from './scorer';
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

export async function runEval(options: EvalOptions): Promise<EvalReport> {
  const model = openCheckpointModel(options.checkpoint, options.step);
  const { dir, step, config, tokenizer, context } = model;
  const maxLength = options.maxLength ?? context;
  if (maxLength > context || maxLength < 3) throw new UsageError(`--max-length ${maxLength} is outside 3 … ${context} (the model's context); give a value in that range`);
  const requestLength = maxLength - 1;
  for (const task of options.tasks) CHECKS[task.kind](task.path);
  const engine = await loadModelEngine(model, options.threads);
  try {
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
