// Wall-clock phases of a run, reported in metadata `timings` and `--json` output.

export class PhaseTimer {
  private readonly start = performance.now();
  private readonly phases = new Map<string, number>();

  /** Runs `fn` and adds its duration to `phase`. */
  async time<T>(phase: string, fn: () => Promise<T> | T): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.phases.set(phase, (this.phases.get(phase) ?? 0) + (performance.now() - t0) / 1000);
    }
  }

  seconds(phase: string): number {
    return round(this.phases.get(phase) ?? 0);
  }

  total(): number {
    return round((performance.now() - this.start) / 1000);
  }
}

const round = (s: number): number => Math.round(s * 1000) / 1000;
