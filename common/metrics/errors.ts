/** Errors of the metrics sinks (besides FileError from common/errors.ts for I/O). */
import { NeoxError } from '../errors';

/** Thrown when a value handed to a sink cannot be recorded (empty tag, fractional step, ...). */
export class MetricInputError extends NeoxError {
  constructor(message: string) {
    super('METRIC_INVALID', message);
  }
}

/** Thrown when a sink is used after close(). */
export class SinkClosedError extends NeoxError {
  constructor(sink: string) {
    super('SINK_CLOSED', `${sink} is closed; open a new one to keep writing`);
  }
}
