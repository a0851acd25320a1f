/**
 * The JSON of completion responses and stream chunks (OpenAI's `text_completion` objects). The
 * logprobs arrays are parallel, one entry per token; `top_logprobs` maps token strings to
 * logprobs and, as OpenAI does, also holds the chosen token when it is not among the top k.
 */
import type { ChoiceRun, LogprobEntry } from './choice-run';
import type { TokenText } from './token-text';

export interface CompletionLogprobs {
  tokens: string[];
  token_logprobs: (number | null)[];
  top_logprobs: (Record<string, number> | null)[];
  text_offset: number[];
}

export interface ChoiceJson {
  index: number;
  text: string;
  logprobs: CompletionLogprobs | null;
  finish_reason: 'stop' | 'length' | null;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function usage(promptTokens: number, completionTokens: number): Usage {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

export function logprobsJson(entries: LogprobEntry[], text: TokenText): CompletionLogprobs {
  return {
    tokens: entries.map((e) => text.piece(e.id)),
    token_logprobs: entries.map((e) => e.logprob),
    top_logprobs: entries.map((e) => (e.top === null ? null : topJson(e, text))),
    text_offset: entries.map((e) => e.offset),
  };
}

/** Keys in logprob order; where two ids share a string, the first (larger) value stays. */
function topJson(entry: LogprobEntry, text: TokenText): Record<string, number> {
  // No prototype, so a token spelled "__proto__" is an ordinary key.
  const top = Object.create(null) as Record<string, number>;
  for (const alt of entry.top!) {
    const key = text.piece(alt.id);
    if (!(key in top)) top[key] = alt.logprob;
  }
  const chosen = text.piece(entry.id);
  if (!(chosen in top) && entry.logprob !== null) top[chosen] = entry.logprob;
  return top;
}

export function choiceJson(choice: ChoiceRun, withLogprobs: boolean, text: TokenText): ChoiceJson {
  return {
    index: choice.index,
    text: choice.text,
    logprobs: withLogprobs ? logprobsJson(choice.entries, text) : null,
    finish_reason: choice.finishReason,
  };
}

export interface CompletionHeader {
  id: string;
  created: number;
  model: string;
}

export function completionJson(header: CompletionHeader, choices: ChoiceJson[], counts: Usage): object {
  return { id: header.id, object: 'text_completion', created: header.created, model: header.model, choices, usage: counts };
}

export function chunkJson(header: CompletionHeader, choices: ChoiceJson[], counts: Usage | null = null): object {
  const chunk: Record<string, unknown> = { id: header.id, object: 'text_completion', created: header.created, model: header.model, choices };
  if (counts !== null) chunk['usage'] = counts;
  return chunk;
}
