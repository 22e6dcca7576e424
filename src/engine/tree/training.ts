// What every tree trainer (boosting, bagging) shares: its input columns and target, the hooks
// that report progress and carry an abort signal, cooperative cancellation between trees, and
// the size from which a fit is worth spreading over threads.

/** Below this many row-features a fit stays in one thread: starting workers would cost more. */
export const PARALLEL_MIN_CELLS = 2_000_000;

export interface TrainData {
  columns: readonly Float64Array[];
  categorical: readonly boolean[];
  cardinality: readonly number[];
  y: Float64Array;
  weight: Float64Array | null;
}

export interface IterationReport {
  iteration: number;
  total: number;
  /**
   * The metric on the training rows, computed when read (a pass over every training row, so a
   * progress display that skips frames skips its cost). Read it during the callback: the scores
   * move on with the next round.
   */
  readonly train?: number;
  validation?: number;
}

export interface TrainHooks {
  /** Called once per round. */
  onIteration?: (r: IterationReport) => void;
  signal?: AbortSignal;
}

/** Thrown when the caller's AbortSignal fires; models map it to their own error type. */
export class TrainingAborted extends Error {
  constructor() {
    super('training aborted');
    this.name = 'AbortError';
  }
}

/** Lets pending events (an abort, a progress render) run between rounds. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
