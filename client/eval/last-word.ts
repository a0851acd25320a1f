/**
 * Last-word prediction (LAMBADA style, as lm-eval's lambada_openai): context = the text's words
 * but the last, joined by " "; continuation = " " + the last word (words split on " ").
 *   perplexity = exp(−mean over documents of the continuation's log-likelihood);
 *   acc        = the share of documents whose whole continuation is greedy.
 */
import { type TaskContext, type TaskResult, mean } from './task-result';
import { readLastWord } from './task-files';
import { encodePair } from './requests';

export async function runLastWord(name: string, path: string, context: TaskContext): Promise<TaskResult> {
  const docs = readLastWord(path);
  const requests = docs.map((doc) => {
    const words = doc.text.split(' ');
    return encodePair(context.tokenizer, words.slice(0, -1).join(' '), ` ${words[words.length - 1]}`, context.prefix);
  });
  const scores = await context.scorer.score(requests);
  const samples = scores.map((s) => ({ loglikelihood: s.logprob, greedy: s.greedy, tokens: s.tokens }));
  return {
    name,
    kind: 'lastword',
    source: path,
    documents: docs.length,
    metrics: { perplexity: Math.exp(-mean(scores.map((s) => s.logprob))), acc: mean(scores.map((s) => (s.greedy ? 1 : 0))) },
    samples,
  };
}
