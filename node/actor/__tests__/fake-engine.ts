/**
 * A small deterministic stand-in for the native engine, for testing the loop's bookkeeping
 * (schedule, data order, evaluation, checkpoints, resume) without building C++. Its "model" is a
 * vector w pulled towards each batch's token statistics; loss depends on w and the batch.
 */
import type { EngineTensorInfo, TrainingEngine, TrainStepOutcome } from '../engine';

export class FakeEngine implements TrainingEngine {
  readonly calls: { tokens: Int32Array; lr: number; step: number }[] = [];
  readonly evalCalls: Int32Array[] = [];
  /** Steps (the `step` argument) at which the update is reported non-finite and skipped. */
  skipAt = new Set<number>();
  private w = new Float32Array([0.5, -0.25, 1, 0]);
  private m = new Float32Array(4);
  private t = 0;

  async trainStep(tokens: Int32Array, _mask: Float32Array | null, lr: number, step: number): Promise<TrainStepOutcome> {
    this.calls.push({ tokens: tokens.slice(), lr, step });
    const loss = this.lossOf(tokens);
    const timings = { forwardMs: 1, backwardMs: 1, optimizerMs: 0, totalMs: 2 };
    if (this.skipAt.has(step)) return { loss: NaN, gradNorm: NaN, skipped: true, nonFinite: { step, tensor: 'w' }, timings };
    this.t += 1;
    for (let i = 0; i < 4; i++) {
      const grad = this.w[i]! - tokens[i % tokens.length]! / 100;
      this.m[i] = 0.9 * this.m[i]! + 0.1 * grad;
      this.w[i] = this.w[i]! - lr * this.m[i]!;
    }
    return { loss, gradNorm: Math.hypot(...this.m), skipped: false, nonFinite: null, timings };
  }

  async evalLoss(tokens: Int32Array): Promise<number> {
    this.evalCalls.push(tokens.slice());
    return this.lossOf(tokens);
  }

  tensorInfo(): EngineTensorInfo[] {
    return [
      { name: 'w', shape: [4], dtype: 'F32', kind: 'parameter' },
      { name: 'optimizer.exp_avg.w', shape: [4], dtype: 'F32', kind: 'exp_avg' },
    ];
  }

  getTensor(name: string): Float32Array {
    return (name === 'w' ? this.w : this.m).slice();
  }

  setTensor(name: string, data: Float32Array): void {
    (name === 'w' ? this.w : this.m).set(data);
  }

  optimizerStep(): number {
    return this.t;
  }

  setOptimizerStep(step: number): void {
    this.t = step;
  }

  close(): void {}

  private lossOf(tokens: Int32Array): number {
    let sum = 0;
    for (let i = 0; i < tokens.length; i++) sum += (this.w[i % 4]! - tokens[i]! / 100) ** 2;
    return sum / tokens.length;
  }
}

/** An in-memory dataset whose sample i is [i, i+1, …, i+S]. */
export function countingSource(length: number, seqLength: number) {
  const getSampleInto = (index: number, out: Int32Array) => {
    for (let t = 0; t <= seqLength; t++) out[t] = (index % length) + t;
  };
  return {
    name: 'counting', length, seqLength, getSampleInto,
    getSample(index: number) {
      const out = new Int32Array(seqLength + 1);
      getSampleInto(index, out);
      return out;
    },
  };
}
