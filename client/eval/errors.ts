/** Errors of `neox eval` (client/eval/). */
import { NeoxError } from '../../common/errors';

/** A task specification or task file that cannot be evaluated; the message names the file, line and fix. */
export class EvalTaskError extends NeoxError {
  constructor(message: string) {
    super('EVAL_TASK', message);
  }
}
