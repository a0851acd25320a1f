/**
 * Shows training progress on a console stream. On a TTY the progress line is redrawn in place
 * each step (carriage return + erase to end of line); otherwise (a log file, a pipe) a full line
 * is printed every `logInterval` steps and at the last step. Eval results always get a line of
 * their own (on a TTY below the last progress line, which stays on screen).
 */
import { ConfigError } from '../errors';
import { EvalMetrics, MetricSink, TrainStepMetrics } from './metric-types';
import { MovingAverage } from './moving-average';
import { formatEvalLine, formatProgressLine } from './progress-line';

const ERASE_TO_END_OF_LINE = '\x1b[K';

export interface ConsoleStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressRendererOptions {
  /** @default process.stdout */
  stream?: ConsoleStream;
  /** Steps the run will take (GPT-NeoX train_iters). */
  totalSteps: number;
  /** Steps between printed lines when the stream is not a TTY (GPT-NeoX log_interval). */
  logInterval: number;
  /** Steps the ETA's moving average spans. @default 20 */
  averageWindow?: number;
}

function requirePositiveInteger(value: number, key: string): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new ConfigError(`${key} is ${value}; it must be a positive integer`, key);
}

export class ProgressRenderer implements MetricSink {
  readonly name = 'progress';
  private readonly stream: ConsoleStream;
  private readonly tty: boolean;
  private readonly stepTimes: MovingAverage;
  /** A redrawable line is on screen (TTY only). */
  private lineOpen = false;

  constructor(private readonly options: ProgressRendererOptions) {
    requirePositiveInteger(options.totalSteps, 'train_iters');
    requirePositiveInteger(options.logInterval, 'log_interval');
    this.stream = options.stream ?? process.stdout;
    this.tty = this.stream.isTTY === true;
    this.stepTimes = new MovingAverage(options.averageWindow ?? 20);
  }

  writeTrain(metrics: TrainStepMetrics): void {
    this.stepTimes.add(metrics.stepTimeS);
    const line = formatProgressLine({
      step: metrics.step,
      totalSteps: this.options.totalSteps,
      loss: metrics.loss,
      learningRate: metrics.learningRate,
      tokensPerSec: metrics.tokensPerSec,
      flopsPerSec: metrics.flopsPerSec,
      averageStepTimeS: this.stepTimes.value,
    });
    if (this.tty) {
      this.stream.write(`\r${line}${ERASE_TO_END_OF_LINE}`);
      this.lineOpen = true;
    } else if (metrics.step % this.options.logInterval === 0 || metrics.step === this.options.totalSteps) {
      this.stream.write(`${line}\n`);
    }
  }

  writeEval(metrics: EvalMetrics): void {
    const prefix = this.lineOpen ? '\n' : '';
    this.stream.write(`${prefix}${formatEvalLine(metrics)}\n`);
    this.lineOpen = false;
  }

  flush(): void {}

  /** Ends an open progress line so later output starts on a fresh line. */
  close(): void {
    if (this.lineOpen) this.stream.write('\n');
    this.lineOpen = false;
  }
}
