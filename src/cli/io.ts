// The CLI's view of the outside world, injectable so every command runs in-process in tests:
// where output goes, whether stderr is a terminal, colour, the environment, the working
// directory and the interrupts. processIO() is the one place that reads them from `process`.

import { Chalk, type ChalkInstance } from 'chalk';

export interface Output {
  write(text: string): unknown;
}

export interface CliIO {
  stdout: Output;
  stderr: Output;
  /** Whether stderr is an interactive terminal (progress bars only then). */
  isTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /**
   * Subscribes to the user's request to stop (the real process: SIGINT, SIGTERM, SIGHUP) and
   * returns the unsubscribe. Absent, nothing outside the command interrupts it.
   */
  onInterrupt?: (handler: (signal: string) => void, signals?: readonly InterruptSignal[]) => () => void;
  /**
   * Subscribes to SIGHUP for as long as the returned unsubscribe is not called, every time it
   * comes (`soma serve` reloads on it, where other commands take it as an interrupt).
   */
  onHangup?: (handler: () => void) => () => void;
}

export type InterruptSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/** The signals that stop a command cleanly: Ctrl-C, `kill`, a closed terminal. */
const INTERRUPTS: readonly InterruptSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function processIO(): CliIO {
  quietOnClosedPipe(process.stdout);
  quietOnClosedPipe(process.stderr);
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: Boolean(process.stderr.isTTY),
    // A copy: what the command sees is fixed when it starts.
    env: { ...process.env },
    cwd: process.cwd(),
    onInterrupt: (handler, signals = INTERRUPTS) => {
      // The first signal unsubscribes, so a second one has its default effect (a hard stop).
      const listener = (signal: NodeJS.Signals): void => {
        off();
        handler(signal);
      };
      const off = (): void => {
        for (const s of signals) process.removeListener(s, listener);
      };
      for (const s of signals) process.on(s, listener);
      return off;
    },
    onHangup: (handler) => {
      const listener = (): void => handler();
      process.on('SIGHUP', listener);
      return () => void process.removeListener('SIGHUP', listener);
    },
  };
}

const guarded = new WeakSet<NodeJS.WriteStream>();

/**
 * A reader that stops early (`soma schema | head`) closes the pipe: the next write fails with
 * EPIPE. That is the reader's choice, not a failure of soma, so the process ends quietly (exit 0)
 * instead of crashing on an unhandled 'error' event. Other write errors still surface.
 */
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

/** Global options every command takes. */
export interface GlobalOptions {
  json: boolean;
  registry: string | undefined;
  quiet: boolean;
  color: boolean;
}

/** What a command needs to talk to the user: JSON or human output, notes, warnings, progress. */
export class Reporter {
  readonly c: ChalkInstance;

  constructor(
    readonly io: CliIO,
    readonly opts: GlobalOptions,
  ) {
    const colour = opts.color && io.isTTY && io.env['NO_COLOR'] === undefined;
    this.c = new Chalk({ level: colour ? 1 : 0 });
  }

  /**
   * The command's result: with --json, one JSON document on stdout (nothing else ever goes there);
   * otherwise the human rendering on stderr, as DESIGN asks, so stdout stays clean for pipes.
   */
  result(json: unknown, human: () => string): void {
    if (this.opts.json) this.io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    else if (!this.opts.quiet) this.io.stderr.write(ensureNewline(human()));
  }

  /** Progress and notes: stderr, silenced by --quiet and --json. */
  note(text: string): void {
    if (!this.opts.quiet && !this.opts.json) this.io.stderr.write(ensureNewline(text));
  }

  warn(text: string): void {
    if (!this.opts.quiet) this.io.stderr.write(ensureNewline(`${this.c.yellow('warning:')} ${text}`));
  }

  /** Whether progress bars are drawn: only on a TTY and never with --json/--quiet. */
  get showsProgress(): boolean {
    return this.io.isTTY && !this.opts.quiet && !this.opts.json;
  }

  /** How many bars `progress` has drawn (a status line can tell whether it still owns the line). */
  get barsDrawn(): number {
    return this.bars;
  }

  private bars = 0;

  /** A single-line progress bar, redrawn in place (when `showsProgress`). */
  progress(label: string, done: number, total: number | undefined, suffix = ''): void {
    if (!this.showsProgress) return;
    this.bars++;
    const width = 24;
    const frac = total ? Math.min(1, done / total) : 0;
    const bar = total ? `${'█'.repeat(Math.round(frac * width))}${'░'.repeat(width - Math.round(frac * width))}` : '';
    this.io.stderr.write(`\r\x1b[2K${label} ${bar} ${done}${total ? `/${total}` : ''} ${suffix}`);
  }

  /** A single status line (no bar), redrawn in place (when `showsProgress`). */
  status(text: string): void {
    if (this.showsProgress) this.io.stderr.write(`\r\x1b[2K${text}`);
  }

  endProgress(): void {
    if (this.showsProgress) this.io.stderr.write('\r\x1b[2K');
  }
}

function ensureNewline(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`;
}
