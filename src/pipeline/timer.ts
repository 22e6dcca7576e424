// Wall-clock phases of a run, reported in metadata `timings` and `--json` output, and what the run
// is doing now, for a front end that shows it (the CLI's status line on a terminal): a phase
// starting, a step inside one (scoring a split, writing reports) and progress through a loop.

/** Something a long run is doing: `done`/`total` when it is a loop with a known length. */
export interface PhaseEvent {
  label: string;
  done?: number;
  total?: number;
}

export type PhaseListener = (event: PhaseEvent) => void;

/** What the user reads for each timed phase. */
const PHASE_LABELS: Readonly<Record<string, string>> = {
  load: 'loading data',
  preprocess: 'preprocessing',
  fit: 'fitting',
  evaluate: 'evaluating',
};

export class PhaseTimer {
  private readonly start = performance.now();
  private readonly phases = new Map<string, number>();

  constructor(private readonly listener?: PhaseListener) {}

  /** Runs `fn` and adds its duration to `phase`. */
  async time<T>(phase: string, fn: () => Promise<T> | T): Promise<T> {
    this.listener?.({ label: PHASE_LABELS[phase] ?? phase });
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.phases.set(phase, (this.phases.get(phase) ?? 0) + (performance.now() - t0) / 1000);
    }
  }

  /** Says what the run does now, inside or between timed phases, without timing it. */
  step(label: string, done?: number, total?: number): void {
    this.listener?.({ label, ...(done !== undefined ? { done } : {}), ...(total !== undefined ? { total } : {}) });
  }

  seconds(phase: string): number {
    return round(this.phases.get(phase) ?? 0);
  }

  total(): number {
    return round((performance.now() - this.start) / 1000);
  }
}

const round = (s: number): number => Math.round(s * 1000) / 1000;
