/**
 * Multiple choice (lm-eval's output_type multiple_choice with doc_to_text = question,
 * doc_to_choice = choices, doc_to_target = answer and the default target delimiter " "): each
 * choice is scored as the continuation " " + choice of the question.
 *   acc      = the answer has the largest log-likelihood (first on ties, numpy argmax);
 *   acc_norm = the same with each log-likelihood divided by its choice's length in characters.
 */
import { type TaskContext, type TaskResult, mean } from './task-result';
import { readMultipleChoice } from './task-files';
import { encodePair } from './requests';

function argmax(values: number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

export async function runMultipleChoice(name: string, path: string, context: TaskContext): Promise<TaskResult> {
  const docs = readMultipleChoice(path);
  const requests = docs.flatMap((doc) => doc.choices.map((choice) => encodePair(context.tokenizer, doc.question, ` ${choice}`, context.prefix)));
  const scores = await context.scorer.score(requests);
  let at = 0;
  const samples = docs.map((doc) => {
    const own = scores.slice(at, (at += doc.choices.length));
    const lls = own.map((s) => s.logprob);
    // Characters as Python's len() counts them (code points).
    const normalized = lls.map((ll, i) => ll / [...doc.choices[i]!].length);
    const acc = argmax(lls) === doc.answer ? 1 : 0;
    const accNorm = argmax(normalized) === doc.answer ? 1 : 0;
    return { loglikelihoods: lls, greedy: own.map((s) => s.greedy), answer: doc.answer, acc, acc_norm: accNorm };
  });
  return {
    name,
    kind: 'mc',
    source: path,
    documents: docs.length,
    metrics: { acc: mean(samples.map((s) => s.acc)), acc_norm: mean(samples.map((s) => s.acc_norm)) },
    samples,
  };
}
