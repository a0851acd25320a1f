/**
 * The training loop's own state, stored in a checkpoint's manifest (`trainer_state`). With it and
 * the tensors, a resumed run continues exactly: the data order follows from `iteration` alone
 * (ARCHITECTURE.md, "Topology and batch invariants") and dropout masks from (seed, step).
 */

export interface TrainerState {
  /** Optimizer steps attempted so far (GPT-NeoX's `iteration`), applied or skipped. */
  iteration: number;
  /** Training samples consumed: iteration × train_batch_size. */
  consumed_train_samples: number;
  /** Scheduler step count n (applied updates; GPT-NeoX §3.2). */
  scheduler_steps: number;
  /** AdamW's t. */
  optimizer_step: number;
  /** Updates skipped because a loss or gradient was not finite. */
  skipped_steps: number;
  /** Validation micro-batches consumed so far (GPT-NeoX's valid iterator position). */
  valid_micro_batches: number;
  seed: number;
}

export function initialTrainerState(seed: number): TrainerState {
  return {
    iteration: 0, consumed_train_samples: 0, scheduler_steps: 0, optimizer_step: 0, skipped_steps: 0,
    valid_micro_batches: 0, seed,
  };
}

const FIELDS: (keyof TrainerState)[] = [
  'iteration', 'consumed_train_samples', 'scheduler_steps', 'optimizer_step', 'skipped_steps', 'valid_micro_batches', 'seed',
];

/** Reads a trainer state back from a manifest, refusing anything incomplete. */
export function parseTrainerState(value: Record<string, unknown>, where: string): TrainerState {
  const state = {} as TrainerState;
  for (const field of FIELDS) {
    const v = value[field];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new Error(`${where}: trainer_state.${field} is ${JSON.stringify(v)}; expected a non-negative integer (was the checkpoint written by neox?)`);
    }
    state[field] = v;
  }
  return state;
}
