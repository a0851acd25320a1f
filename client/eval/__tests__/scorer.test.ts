import test from 'ava';

import { type LogitsModel, LoglikelihoodScorer } from '../scorer';

const V = 7;

/** Logits as a function of (previous token, position, vocabulary entry) only; counts calls. */
class FakeModel implements LogitsModel {
  calls: { batch: number; seqLen: number }[] = [];
  async logits(tokens: Int32Array, batch: number, seqLen: number): Promise<Float32Array> {
    this.calls.push({ batch, seqLen });
    const out = new Float32Array(batch * seqLen * V);
    for (let r = 0; r < batch; r++) {
      for (let k = 0; k < seqLen; k++) {
        for (let v = 0; v < V; v++) out[(r * seqLen + k) * V + v] = Math.sin(tokens[r * seqLen + k]! * 3 + k * 0.7 + v * 1.3) * 4;
      }
    }
    return out;
  }
}

/** The same score, one request at a time, straight from the definition (float64 log-softmax). */
function expected(all: number[], from: number): { logprob: number; greedy: boolean } {
  let logprob = 0;
  let greedy = true;
  for (let k = from; k < all.length; k++) {
    const row = Array.from({ length: V }, (_, v) => Math.sin(all[k - 1]! * 3 + (k - 1) * 0.7 + v * 1.3) * 4);
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
    logprob += row[all[k]!]! - lse;
    if (row.indexOf(max) !== all[k]) greedy = false;
  }
  return { logprob, greedy };
}

test('scores equal the definition per request, whatever the batching; long requests keep their last maxLength tokens', async (t) => {
  const requests = [
    { context: [1, 2, 3], continuation: [4, 5] },
    { context: [6], continuation: [0, 1, 2, 3, 4, 5, 6, 0, 1] }, // 10 tokens: truncated to the last 8, context loses its token
    { context: [2, 2, 2, 2, 2, 2, 2, 2, 2], continuation: [3] }, // context cut to 7
    { context: [5], continuation: [] },
  ];
  const model = new FakeModel();
  const scores = await new LoglikelihoodScorer(model, { vocabSize: V, maxLength: 8, batchSize: 2 }).score(requests.slice(0, 1).concat(requests.slice(2)));
  t.deepEqual(model.calls, [{ batch: 2, seqLen: 7 }], 'one padded call of the two scoreable requests, longest first');
  const first = expected([1, 2, 3, 4, 5], 3);
  t.true(Math.abs(scores[0]!.logprob - first.logprob) < 1e-5);
  t.is(scores[0]!.greedy, first.greedy);
  const third = expected([2, 2, 2, 2, 2, 2, 2, 3], 7);
  t.true(Math.abs(scores[1]!.logprob - third.logprob) < 1e-5);
  t.deepEqual(scores[2], { logprob: 0, greedy: true, tokens: 0 });
  await t.throwsAsync(() => new LoglikelihoodScorer(model, { vocabSize: V, maxLength: 8 }).score([requests[1]!]), { message: /a continuation of 9 tokens does not fit max_length 8/ });
});

test('batch size 1 and 8 give identical scores', async (t) => {
  const requests = Array.from({ length: 5 }, (_, i) => ({ context: [i, i + 1], continuation: Array.from({ length: i + 1 }, (_, j) => (i * j) % V) }));
  const a = await new LoglikelihoodScorer(new FakeModel(), { vocabSize: V, maxLength: 16, batchSize: 1 }).score(requests);
  const b = await new LoglikelihoodScorer(new FakeModel(), { vocabSize: V, maxLength: 16, batchSize: 8 }).score(requests);
  t.deepEqual(a, b);
});
