/**
 * `--tasks` of `neox eval`: a comma-separated list of KIND:PATH items.
 *   mc:FILE.jsonl        multiple choice (loglikelihood of each choice; acc, acc_norm)
 *   lastword:FILE.jsonl  last word of each text (lambada style; perplexity, acc)
 *   ppl:PREFIX           perplexity of every document of an indexed dataset (PREFIX.bin/.idx)
 * A task is named after its file (without .jsonl); `NAME=KIND:PATH` names it explicitly.
 */
import { basename } from 'node:path';

import { EvalTaskError } from './errors';

export const TASK_KINDS = ['mc', 'lastword', 'ppl'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export interface TaskSpec {
  name: string;
  kind: TaskKind;
  path: string;
}

const ITEM = /^(?:([A-Za-z0-9_.-]+)=)?([a-z]+):(.+)$/;

export function parseTaskSpecs(text: string): TaskSpec[] {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new EvalTaskError('--tasks is empty; give KIND:PATH items such as mc:tasks/arc.jsonl,lastword:tasks/lambada.jsonl,ppl:data/valid_text_document');
  const specs = items.map((item) => {
    const match = ITEM.exec(item);
    const kind = match?.[2];
    if (!match || !(TASK_KINDS as readonly string[]).includes(kind!)) {
      throw new EvalTaskError(`task "${item}" is not KIND:PATH with KIND one of ${TASK_KINDS.join(', ')} (e.g. mc:tasks/arc.jsonl)`);
    }
    const path = match[3]!;
    return { name: match[1] ?? basename(path).replace(/\.jsonl$/, ''), kind: kind as TaskKind, path };
  });
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.name)) throw new EvalTaskError(`two tasks are named ${spec.name}; name one explicitly with NAME=KIND:PATH`);
    seen.add(spec.name);
  }
  return specs;
}
