/** Mean of the last `window` values added (fewer while it fills). */
import { MetricInputError } from './errors';

export class MovingAverage {
  private readonly values: number[] = [];
  private next = 0;

  constructor(readonly window: number) {
    if (!Number.isInteger(window) || window < 1) throw new MetricInputError(`moving-average window ${window} is not a positive integer; use e.g. 20`);
  }

  add(value: number): void {
    if (this.values.length < this.window) this.values.push(value);
    else this.values[this.next] = value;
    this.next = (this.next + 1) % this.window;
  }

  /** The mean, or null before the first value. */
  get value(): number | null {
    if (this.values.length === 0) return null;
    return this.values.reduce((sum, v) => sum + v, 0) / this.values.length;
  }
}
