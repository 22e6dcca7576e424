// What every command's register function is given (CommandContext): the injectable IO, the
// command line, the Reporter built from the global options, the registry and runs directories and
// interrupt handling. Its own module so commands never import main.ts (which imports them).

import type { Command } from 'commander';
import type { CliIO, Reporter } from './io.js';

/**
 * Shared by every command, built once per run from the CliIO and the command line: commands read
 * the environment, the working directory and the interrupts only through it, and hand pipeline
 * functions explicit options, so a pipeline never reads `process`.
 */
export interface CommandContext {
  io: CliIO;
  /** The command line as typed (`soma train -c x.yaml`), recorded in lineage and lock files. */
  command: string;
  reporter(cmd: Command): Reporter;
  /** The registry directory: --registry, else SOMA_REGISTRY, else ./artifacts/registry. */
  registryDir(cmd: Command): string;
  /** Where study journals go: --runs-dir, else SOMA_RUNS, else ./artifacts/runs. */
  runsDir(explicit: string | undefined): string;
  /**
   * Runs `fn` with a signal that aborts when the user interrupts (Ctrl-C, SIGTERM, SIGHUP); the
   * handlers exist only while `fn` runs, so in-process callers never accumulate them.
   */
  interruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T>;
}
