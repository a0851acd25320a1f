/**
 * What the serve tests expect, computed straight from the reference model as a function
 * (ReferenceModel.nextRow: no server, no cache, no batching).
 */
import type { ReferenceModel } from '../../client/serve/reference/reference-model';
import { argmax } from '../../client/serve/top-logprobs';

/** log p(tokens[k] | tokens[0..k)) for k = 1 … n − 1. */
export function positionLogprobs(model: ReferenceModel, tokens: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let k = 1; k < tokens.length; k++) out.push(model.nextRow(Array.from(tokens).slice(0, k))[tokens[k]!]!);
  return out;
}

/** (Σ log p(continuation), every continuation token is the argmax), summed left to right as Python's sum. */
export function loglikelihood(model: ReferenceModel, context: number[], continuation: number[]): { logprob: number; greedy: boolean } {
  const tokens = [...context, ...continuation];
  let logprob = 0;
  let greedy = true;
  for (let k = context.length; k < tokens.length; k++) {
    const row = model.nextRow(tokens.slice(0, k));
    logprob += row[tokens[k]!]!;
    if (argmax(row) !== tokens[k]) greedy = false;
  }
  return { logprob, greedy };
}

export interface Generation {
  ids: number[];
  text: string;
  finish: 'stop' | 'length';
}

/** Greedy generation with OpenAI stop semantics; end-of-document ends it and is not text. */
export function greedyGenerate(model: ReferenceModel, prompt: number[], maxTokens: number, stop: string[] = []): Generation {
  const tokenizer = model.tokenizer;
  const ids: number[] = [];
  const context = prompt.length > 0 ? prompt : [tokenizer.eod];
  while (ids.length < maxTokens) {
    const token = argmax(model.nextRow([...context, ...ids]));
    ids.push(token);
    if (token === tokenizer.eod) return { ids, text: tokenizer.decode(ids.slice(0, -1)), finish: 'stop' };
    const text = tokenizer.decode(ids);
    const cut = firstStop(text, stop);
    if (cut >= 0) return { ids, text: text.slice(0, cut), finish: 'stop' };
  }
  return { ids, text: tokenizer.decode(ids), finish: 'length' };
}

function firstStop(text: string, stop: string[]): number {
  const hits = stop.map((s) => text.indexOf(s)).filter((at) => at >= 0);
  return hits.length === 0 ? -1 : Math.min(...hits);
}
