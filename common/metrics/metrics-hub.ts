/**
 * Fans each step's and each evaluation's metrics out to the configured sinks (TensorBoard,
 * jsonl, console progress; each optional). Metrics never stop training: a sink that fails to
 * open, write, flush or close is logged once (pino, level error) and dropped, and the others
 * carry on. close() flushes and closes every sink.
 */
import { describeError } from '../errors';
import { createLogger, Logger } from '../logging';
import { JsonlSink } from './jsonl-sink';
import { EvalMetrics, MetricSink, TrainStepMetrics } from './metric-types';
import { ProgressRenderer, ProgressRendererOptions } from './progress-renderer';
import { TensorBoardSink } from './tensorboard-sink';
import { TensorBoardWriter, TensorBoardWriterOptions } from './tensorboard-writer';

export interface MetricsHubOptions {
  /** Directory for TensorBoard event files (GPT-NeoX tensorboard_dir). Off when absent. */
  tensorboardDir?: string | null;
  tensorboard?: TensorBoardWriterOptions;
  /** jsonl metrics file. Off when absent. */
  metricsFile?: string | null;
  /** Console progress line. Off when absent. */
  progress?: ProgressRendererOptions | null;
  /** @default createLogger({ name: 'metrics' }) */
  logger?: Logger;
}

export class MetricsHub {
  private sinks: MetricSink[];
  private closed = false;

  constructor(sinks: MetricSink[], private readonly logger: Logger) {
    this.sinks = [...sinks];
  }

  /** Opens the sinks `options` asks for; one that cannot open is logged and left out. */
  static open(options: MetricsHubOptions): MetricsHub {
    const logger = options.logger ?? createLogger({ name: 'metrics' });
    const factories: [string, () => MetricSink][] = [];
    if (options.tensorboardDir) {
      const directory = options.tensorboardDir;
      factories.push(['tensorboard', () => new TensorBoardSink(new TensorBoardWriter(directory, options.tensorboard))]);
    }
    if (options.metricsFile) {
      const path = options.metricsFile;
      factories.push(['jsonl', () => new JsonlSink(path)]);
    }
    if (options.progress) {
      const progress = options.progress;
      factories.push(['progress', () => new ProgressRenderer(progress)]);
    }
    const sinks: MetricSink[] = [];
    for (const [name, open] of factories) {
      try {
        sinks.push(open());
      } catch (error) {
        logger.error({ sink: name, error: describeError(error) }, `metrics sink ${name} could not open and is disabled; training continues: ${describeError(error)}`);
      }
    }
    return new MetricsHub(sinks, logger);
  }

  /** Names of the sinks still receiving metrics. */
  get sinkNames(): string[] {
    return this.sinks.map((sink) => sink.name);
  }

  logTrain(metrics: TrainStepMetrics): void {
    this.forEachSink('write', (sink) => sink.writeTrain(metrics));
  }

  logEval(metrics: EvalMetrics): void {
    this.forEachSink('write', (sink) => sink.writeEval(metrics));
  }

  flush(): void {
    this.forEachSink('flush', (sink) => sink.flush());
  }

  /** Flushes and closes every sink; later calls do nothing. */
  close(): void {
    if (this.closed) return;
    this.forEachSink('close', (sink) => sink.close());
    this.sinks = [];
    this.closed = true;
  }

  private forEachSink(action: string, call: (sink: MetricSink) => void): void {
    if (this.closed) return;
    for (const sink of [...this.sinks]) {
      try {
        call(sink);
      } catch (error) {
        this.disable(sink, action, error);
      }
    }
  }

  private disable(sink: MetricSink, action: string, error: unknown): void {
    this.sinks = this.sinks.filter((s) => s !== sink);
    this.logger.error({ sink: sink.name, error: describeError(error) }, `metrics sink ${sink.name} failed to ${action} and is disabled; training continues: ${describeError(error)}`);
    if (action === 'close') return;
    try {
      sink.close(); // lets a buffered sink save what it still holds
    } catch {
      // already reported above; the sink is gone either way
    }
  }
}
