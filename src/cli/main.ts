// Entry point of the `soma` command. Kept thin and fast to load: each command's work is imported
// lazily inside its action, so `soma --help` never loads DuckDB, the models or TensorFlow.js.

import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { isSomaError, ExitCode } from '../errors.js';
import type { CommandContext } from './context.js';
import { processIO, Reporter, type CliIO, type GlobalOptions } from './io.js';
import { registerValidate } from './validate.js';
import { registerInit } from './init.js';
import { registerSchema } from './schema.js';
import { registerProfile } from './profile.js';
import { registerTrain } from './train.js';
import { registerTune } from './tune.js';
import { registerEvaluate } from './evaluate.js';
import { registerCompare } from './compare.js';
import { registerPredict } from './predict.js';
import { registerRecommend } from './recommend.js';
import { registerForecast } from './forecast.js';
import { registerModels } from './models.js';
import { registerPreprocess } from './preprocess.js';
import { registerServe } from './serve.js';
import { registerExport } from './export.js';
import { registerImport } from './import.js';
import { registerDrift } from './drift.js';
import { registerDb } from './db.js';
import { registerWorker } from './worker.js';

import { VERSION } from '../version.js';
import { resolveRegistryDir } from '../registry/location.js';

export function createProgram(io: CliIO, argv: readonly string[] = []): Command {
  const program = new Command('soma');
  program
    .description('Clean, train, tune, evaluate, register and batch-predict tabular models from a YAML config')
    .version(VERSION, '-V, --version')
    .enablePositionalOptions()
    .showHelpAfterError('(run soma --help for usage)')
    .exitOverride()
    // Help and --version are what was asked for, so they go to stdout (`soma train --help | grep`);
    // usage errors go to stderr.
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  addGlobalOptions(program);
  program.addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 unexpected failure, 2 usage or config error, 3 data error,
4 quality gate failed, 5 drift detected, 6 registry conflict or integrity failure.

Quick start:
  soma train -c examples/penguins/soma.yaml
  soma models list
  soma predict penguins --input examples/penguins/penguins.csv --output /tmp/predictions.csv`,
    );

  const runsFromEnv = io.env['SOMA_RUNS'];
  const ctx: CommandContext = {
    io,
    command: ['soma', ...argv].join(' '),
    reporter: (cmd) => new Reporter(io, globalOptions(cmd)),
    registryDir: (cmd) => resolveRegistryDir(globalOptions(cmd).registry, io.env, io.cwd),
    runsDir: (explicit) => path.resolve(io.cwd, explicit ?? (runsFromEnv && runsFromEnv.trim() !== '' ? runsFromEnv : 'artifacts/runs')),
    interruptible: async (fn) => {
      const abort = new AbortController();
      const off = io.onInterrupt?.(() => abort.abort());
      try {
        return await fn(abort.signal);
      } finally {
        off?.();
      }
    },
  };
  registerInit(program, ctx);
  registerValidate(program, ctx);
  registerProfile(program, ctx);
  registerPreprocess(program, ctx);
  registerTrain(program, ctx);
  registerTune(program, ctx);
  registerEvaluate(program, ctx);
  registerCompare(program, ctx);
  registerPredict(program, ctx);
  registerRecommend(program, ctx);
  registerForecast(program, ctx);
  registerModels(program, ctx);
  registerServe(program, ctx);
  registerExport(program, ctx);
  registerImport(program, ctx);
  registerDrift(program, ctx);
  registerDb(program, ctx);
  registerWorker(program, ctx);
  registerSchema(program, ctx);
  const configure = (cmd: Command): void => {
    cmd.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
    // Leaf commands take the global options too, so they work before or after the command name
    // (the program uses positional options so that `train --version X.Y.Z` is train's option).
    if (cmd.commands.length === 0) addGlobalOptions(cmd);
    cmd.commands.forEach(configure);
  };
  program.commands.forEach(configure);
  return program;
}

function addGlobalOptions(cmd: Command): void {
  cmd
    .addOption(new Option('--json', 'print one JSON document on stdout (and nothing else there)'))
    .addOption(new Option('--registry <dir>', 'registry directory (default: $SOMA_REGISTRY or ./artifacts/registry)'))
    .addOption(new Option('-q, --quiet', 'print nothing but errors'))
    .addOption(new Option('--no-color', 'plain output without colour'));
}

/**
 * The global options, given before or after the command name. Each level of the command chain
 * declares them (positional options), so they are combined here: a flag set at any level counts,
 * and `--no-color` anywhere wins over the other levels' default of colour on.
 */
function globalOptions(cmd: Command): GlobalOptions {
  const levels: { json?: boolean; registry?: string; quiet?: boolean; color?: boolean }[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) levels.push(c.opts());
  return {
    json: levels.some((o) => o.json === true),
    registry: levels.find((o) => o.registry !== undefined)?.registry,
    quiet: levels.some((o) => o.quiet === true),
    color: levels.every((o) => o.color !== false),
  };
}

/** Runs the CLI and resolves to the exit code; never calls process.exit itself. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const program = createProgram(io, argv);
  const wantsJson = argv.includes('--json');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.ok;
      if (wantsJson) io.stdout.write(`${JSON.stringify({ error: { code: 'USAGE', exitCode: ExitCode.usage, message: e.message } })}\n`);
      return ExitCode.usage;
    }
    if (isSomaError(e)) {
      if (wantsJson && !e.reported) {
        io.stdout.write(`${JSON.stringify({ error: { code: e.code, exitCode: e.exitCode, message: e.message, hint: e.hint, details: e.details } }, null, 2)}\n`);
      }
      io.stderr.write(`error[${e.code}]: ${e.message}\n`);
      if (e.hint) io.stderr.write(`hint: ${e.hint}\n`);
      return e.exitCode;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    if (wantsJson) io.stdout.write(`${JSON.stringify({ error: { code: 'INTERNAL', exitCode: ExitCode.unexpected, message: err.message } })}\n`);
    io.stderr.write(`error[INTERNAL]: ${err.message}\n${io.env['SOMA_DEBUG'] ? `${err.stack}\n` : 'hint: set SOMA_DEBUG=1 for the stack trace\n'}`);
    return ExitCode.unexpected;
  } finally {
    await closeLazyResources();
  }
}

/** DuckDB keeps native handles open; close it if a command loaded it, so the process exits promptly. */
async function closeLazyResources(): Promise<void> {
  const { closeDuckDBIfLoaded } = await import('./lazy.js');
  await closeDuckDBIfLoaded();
}
