// Cancellation of a fit: models check the caller's AbortSignal between steps and report an abort
// as SomaError ABORTED, whichever engine loop noticed it.

import { TrainingAborted } from '../engine/tree/training.js';
import { SomaError } from '../errors.js';

/** The tree engine's TrainingAborted as the model's ABORTED error; any other error unchanged. */
export function mapAbort(kind: string, e: unknown): unknown {
  if (e instanceof TrainingAborted) return new SomaError('ABORTED', `${kind}: training aborted`, { cause: e });
  return e;
}

/** Cooperative cancellation: checks the signal and, every ~50 ms, lets the event loop run so a Ctrl-C handler can fire. */
export class AbortPoint {
  private last = Date.now();
  constructor(private readonly signal: AbortSignal | undefined) {}
  async check(): Promise<void> {
    if (this.signal?.aborted) throw new SomaError('ABORTED', 'training was aborted');
    const now = Date.now();
    if (now - this.last >= 50) {
      this.last = now;
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.signal?.aborted) throw new SomaError('ABORTED', 'training was aborted');
    }
  }
}
