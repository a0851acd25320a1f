/**
 * Weighted blending of several datasets, as GPT-NeoX's BlendableDataset and helpers.cpp
 * `build_blending_indices` do it (docs/gpt-neox-reference.md §4.9): global sample t goes to the
 * dataset with the largest w_d · max(t, 1) − taken_d (ties to the lowest index), which serves its
 * next unused sample.
 */
import { exactPow } from './exact-pow';
import { SampleSource } from './sample-source';

/** numpy's float64 `np.sum` of a 1-D array (pairwise summation with 8 accumulators). */
export function numpySum(values: ArrayLike<number>, start = 0, n = values.length): number {
  if (n < 8) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[start + i]!;
    return sum;
  }
  if (n <= 128) {
    const r = [0, 1, 2, 3, 4, 5, 6, 7].map((j) => values[start + j]!);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j]! += values[start + i + j]!;
    let sum = ((r[0]! + r[1]!) + (r[2]! + r[3]!)) + ((r[4]! + r[5]!) + (r[6]! + r[7]!));
    for (; i < n; i++) sum += values[start + i]!;
    return sum;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return numpySum(values, start, half) + numpySum(values, start + half, n - half);
}

/**
 * GPT-NeoX `get_normalized_weights_and_num_samples`: weights / Σ weights (Python sum), and each
 * dataset's request ceil(numSamples · w · 1.005) in float64, left to right.
 */
export function normalizedWeightsAndSamples(weights: readonly number[], numSamples: number): { weights: number[]; numSamples: number[] } {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (!(sum > 0)) throw new RangeError(`data weights [${weights.join(', ')}] sum to ${sum}; at least one must be > 0`);
  const normalized = weights.map((w) => w / sum);
  return { weights: normalized, numSamples: normalized.map((w) => Math.ceil(numSamples * w * 1.005)) };
}

/**
 * GPT-NeoX `weights_by_num_docs` (`weight_by_num_documents`): p_i = docs_i / Σ docs,
 * q_i ∝ p_i^α, w_i ∝ q_i · (1 − p_i), each normalized with Python's sequential sum.
 */
export function weightsByNumDocs(docCounts: readonly number[], alpha: number): number[] {
  if (docCounts.length === 1) return [1.0];
  const total = docCounts.reduce((a, b) => a + b, 0);
  const p = docCounts.map((n) => n / total);
  const q = p.map((x) => exactPow(x, alpha));
  const qSum = q.reduce((a, b) => a + b, 0);
  const w = q.map((x, i) => (x / qSum) * (1 - p[i]!));
  const wSum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / wSum);
}

const BLOCK = 4096;

/**
 * The blending order for `size` samples. Stores one byte per sample plus, every 4096 samples, how
 * many each dataset had served, so the local index of any sample is found by a short count.
 */
export class BlendingIndex {
  readonly datasetIndex: Uint8Array;
  private readonly blockCounts: Float64Array;
  private readonly k: number;

  /** `weights` are normalized here with numpy's sum, as BlendableDataset does. */
  constructor(weights: readonly number[], readonly size: number) {
    const k = (this.k = weights.length);
    if (k === 0 || k >= 255) throw new RangeError(`blending needs 1 to 254 datasets, got ${k}`);
    const sum = numpySum(weights);
    const w = Float64Array.from(weights, (x) => x / sum);
    this.datasetIndex = new Uint8Array(size);
    this.blockCounts = new Float64Array((Math.floor(size / BLOCK) + 1) * k);
    const taken = new Float64Array(k);
    for (let t = 0; t < size; t++) {
      if (t % BLOCK === 0) this.blockCounts.set(taken, (t / BLOCK) * k);
      const scale = Math.max(t, 1);
      let best = 0;
      let bestError = w[0]! * scale - taken[0]!;
      for (let d = 1; d < k; d++) {
        const error = w[d]! * scale - taken[d]!;
        if (error > bestError) {
          bestError = error;
          best = d;
        }
      }
      this.datasetIndex[t] = best;
      taken[best]!++;
    }
  }

  /** (dataset, its local sample index) for global sample t. */
  locate(t: number): { dataset: number; local: number } {
    const dataset = this.datasetIndex[t]!;
    const block = Math.floor(t / BLOCK);
    let local = this.blockCounts[block * this.k + dataset]!;
    for (let s = block * BLOCK; s < t; s++) if (this.datasetIndex[s] === dataset) local++;
    return { dataset, local };
  }
}

/** Several datasets served in the blending order; length = Σ lengths. */
export class BlendableDataset implements SampleSource {
  readonly length: number;
  readonly seqLength: number;
  readonly index: BlendingIndex;

  constructor(readonly name: string, readonly datasets: readonly SampleSource[], readonly weights: readonly number[]) {
    if (datasets.length !== weights.length) throw new RangeError(`${name}: ${datasets.length} datasets but ${weights.length} weights`);
    this.seqLength = datasets[0]!.seqLength;
    if (datasets.some((d) => d.seqLength !== this.seqLength)) throw new RangeError(`${name}: datasets have different sequence lengths`);
    this.length = datasets.reduce((a, d) => a + d.length, 0);
    this.index = new BlendingIndex(weights, this.length);
  }

  getSample(index: number): Int32Array {
    const out = new Int32Array(this.seqLength + 1);
    this.getSampleInto(index, out);
    return out;
  }

  getSampleInto(index: number, out: Int32Array): void {
    if (!Number.isInteger(index) || index < 0) throw new RangeError(`sample index ${index} of ${this.name} must be a non-negative integer`);
    const { dataset, local } = this.index.locate(index % this.length);
    this.datasets[dataset]!.getSampleInto(local, out);
  }
}
