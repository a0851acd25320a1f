/**
 * How lm-evaluation-harness turns text into scored token spans (reference §7.2; lm_eval 0.4.x
 * TemplateLM._encode_pair, utils.get_rolling_token_windows and make_disjoint_window), so that
 * `neox eval` scores exactly what lm-eval scores through `neox serve`.
 */
import type { Tokenizer } from '../../common/tokenizer';

/** A log-likelihood request: score `continuation` after `context`. */
export interface TokenRequest {
  context: number[];
  continuation: number[];
}

/**
 * (context, continuation) text as tokens: trailing whitespace of the context moves to the
 * continuation; the continuation's tokens are those of context + continuation after the
 * context's. An empty context becomes [prefix] (lm-eval's prefix_token_id: BOS, else EOS).
 */
export function encodePair(tokenizer: Tokenizer, context: string, continuation: string, prefix: number): TokenRequest {
  if (context === '') return { context: [prefix], continuation: tokenizer.encode(continuation) };
  const spaces = context.length - context.trimEnd().length;
  if (spaces > 0) {
    continuation = context.slice(context.length - spaces) + continuation;
    context = context.slice(0, context.length - spaces);
  }
  const whole = tokenizer.encode(context + continuation);
  const contextIds = tokenizer.encode(context);
  return { context: contextIds, continuation: whole.slice(contextIds.length) };
}

/**
 * A document's tokens as disjoint rolling windows of at most `maxSeqLen` predicted tokens, each
 * conditioned on as many preceding tokens as fit; the first predicts every token from [prefix].
 */
export function rollingRequests(tokens: number[], prefix: number, maxSeqLen: number): TokenRequest[] {
  if (tokens.length === 0) return [];
  const first = Math.min(maxSeqLen, tokens.length);
  const out: TokenRequest[] = [{ context: [prefix], continuation: tokens.slice(0, first) }];
  let predicted = first;
  while (predicted < tokens.length) {
    const count = Math.min(tokens.length - predicted, maxSeqLen);
    const end = predicted + count;
    // get_rolling_token_windows with context_len 1, then make_disjoint_window.
    const input = tokens.slice(Math.max(0, end - maxSeqLen - 1), end - 1);
    out.push({ context: input.slice(0, input.length - (count - 1)), continuation: tokens.slice(end - count, end) });
    predicted = end;
  }
  return out;
}
