// What every command's register function is given: the injectable IO, the Reporter built from
// the global options, and the registry directory. Its own module so commands never import
// main.ts (which imports them).

import type { Command } from 'commander';
import type { CliIO, Reporter } from './io.js';

/** Shared by every command: builds the Reporter from the global options once the action runs. */
export interface CommandContext {
  io: CliIO;
  reporter(cmd: Command): Reporter;
  /** The registry directory: --registry, else SOMA_REGISTRY, else ./artifacts/registry. */
  registryDir(cmd: Command): string;
}
