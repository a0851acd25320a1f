/**
 * Perplexity of an indexed dataset (PREFIX.bin/.idx, as neox preprocess writes it), document by
 * document as lm-eval's loglikelihood_rolling scores a text: a trailing end-of-document token is
 * dropped (it marks the boundary, it is not text), the rest is scored in rolling windows of at
 * most requestLength − 1 predicted tokens (lm-eval: max_length − 2), the first from the prefix token. The text of a document is
 * its decoded tokens.
 *   token_perplexity = exp(−Σ loglikelihood / Σ tokens)
 *   word_perplexity  = exp(−Σ loglikelihood / Σ words)   (words: the text split on /\s+/)
 *   byte_perplexity  = exp(−Σ loglikelihood / Σ bytes)   (UTF-8 bytes of the text)
 *   bits_per_byte    = −Σ loglikelihood / (Σ bytes · ln 2)
 */
import { IndexedDataset } from '../../common/data';
import { type TaskContext, type TaskResult } from './task-result';
import { rollingRequests } from './requests';

/** The tokens of document `d` (all its items). */
function documentTokens(dataset: IndexedDataset, d: number): number[] {
  const tokens: number[] = [];
  for (let item = dataset.docIdx.get(d); item < dataset.docIdx.get(d + 1); item++) tokens.push(...dataset.read(item));
  return tokens;
}

export async function runPerplexity(name: string, prefix: string, context: TaskContext): Promise<TaskResult> {
  const dataset = IndexedDataset.open(prefix);
  try {
    const samples: { loglikelihood: number; tokens: number; words: number; bytes: number }[] = [];
    for (let d = 0; d < dataset.documentCount; d++) {
      const tokens = documentTokens(dataset, d);
      if (tokens[tokens.length - 1] === context.tokenizer.eod) tokens.pop();
      if (tokens.length === 0) continue;
      const text = context.tokenizer.decode(tokens);
      const scores = await context.scorer.score(rollingRequests(tokens, context.prefix, context.requestLength - 1));
      samples.push({
        loglikelihood: scores.reduce((sum, s) => sum + s.logprob, 0),
        tokens: tokens.length,
        words: text.split(/\s+/u).length,
        bytes: Buffer.byteLength(text, 'utf8'),
      });
    }
    const total = (key: 'loglikelihood' | 'tokens' | 'words' | 'bytes') => samples.reduce((sum, s) => sum + s[key], 0);
    const ll = total('loglikelihood');
    return {
      name,
      kind: 'ppl',
      source: prefix,
      documents: samples.length,
      metrics: {
        token_perplexity: Math.exp(-ll / total('tokens')),
        word_perplexity: Math.exp(-ll / total('words')),
        byte_perplexity: Math.exp(-ll / total('bytes')),
        bits_per_byte: -ll / total('bytes') / Math.LN2,
        tokens: total('tokens'),
      },
      samples,
    };
  } finally {
    dataset.close();
  }
}
