// The status line a long command keeps on a terminal: what it is doing and for how long
// ("loading data 3.1 s"), or a bar through a loop ("permutation importance ███░░ 120/500 2.0 s").
// A timer redraws the elapsed time while the work awaits (loading, writing files); work that holds
// the thread redraws the line through its own progress events. A phase in which something else
// draws a bar (the fit's rounds) is left to that bar.

import type { PhaseEvent, PhaseListener } from '../pipeline/timer.js';
import type { Reporter } from './io.js';

/** How often the elapsed time is redrawn, and how often a loop's bar may be. */
const TICK_MS = 250;
const BAR_MS = 200;

export class PhaseStatus {
  private label: string | undefined;
  private since = 0;
  private lastBar = 0;
  /** The reporter's bar count after this line's own last bar: a higher count is someone else's. */
  private ownBars: number;
  private readonly ticker: NodeJS.Timeout | undefined;

  constructor(private readonly r: Reporter) {
    this.ownBars = r.barsDrawn;
    this.ticker = r.showsProgress ? setInterval(() => this.tick(), TICK_MS) : undefined;
    this.ticker?.unref(); // never keeps a finished command alive
  }

  readonly listener: PhaseListener = (e: PhaseEvent): void => {
    if (!this.r.showsProgress) return;
    const now = performance.now();
    if (e.label !== this.label) {
      this.label = e.label;
      this.since = now;
      this.lastBar = 0;
      this.ownBars = this.r.barsDrawn;
    } else if (e.total === undefined || (e.done !== e.total && now - this.lastBar < BAR_MS)) {
      return;
    }
    this.draw(e);
  };

  /** Clears the line and stops the timer (call when the command ends, however it ends). */
  stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.r.endProgress();
  }

  private tick(): void {
    if (this.label === undefined || this.r.barsDrawn !== this.ownBars) return;
    this.draw({ label: this.label });
  }

  private draw(e: PhaseEvent): void {
    const elapsed = `${((performance.now() - this.since) / 1000).toFixed(1)} s`;
    if (e.total === undefined) {
      this.r.status(`${e.label} ${elapsed}`);
      return;
    }
    this.lastBar = performance.now();
    this.r.progress(e.label, e.done ?? 0, e.total, elapsed);
    this.ownBars = this.r.barsDrawn;
  }
}
