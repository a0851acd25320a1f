/** What a task reports: its metrics (named as lm-evaluation-harness names them) and per-document samples. */
import type { Tokenizer } from '../../common/tokenizer';
import type { LoglikelihoodScorer } from './scorer';
import type { TaskKind } from './task-spec';

export interface TaskResult {
  name: string;
  kind: TaskKind;
  /** The task file or dataset prefix. */
  source: string;
  documents: number;
  metrics: Record<string, number>;
  /** Per document, in file order: what was scored. */
  samples: Record<string, unknown>[];
}

/** What every task runs on. */
export interface TaskContext {
  tokenizer: Tokenizer;
  scorer: LoglikelihoodScorer;
  /** Conditions the first token when there is no context (lm-eval's prefix_token_id). */
  prefix: number;
  /** Most tokens a request keeps (context + continuation): lm-eval's internal max_length. */
  requestLength: number;
}

export function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
