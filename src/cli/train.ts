// `soma train -c C`: preprocess, train, evaluate and register a new version.

import type { Command } from 'commander';
import type { Progress } from '../models/estimator.js';
import { markDuckDBLoaded } from './lazy.js';
import type { CommandContext } from './context.js';
import { collect, resolvePath } from './validate.js';
import { PhaseStatus } from './phase-status.js';

interface TrainFlags {
  config: string;
  set: string[];
  bump?: string;
  version?: string;
  failUnder: string[];
  failOver: string[];
  runsDir?: string;
}

export function registerTrain(program: Command, ctx: CommandContext): void {
  program
    .command('train')
    .description('preprocess, train, evaluate and register a new model version')
    .option('-c, --config <file>', 'config file', 'soma.yaml')
    .option('--set <key=value>', 'override a config value, e.g. model.params.max_depth=8 (repeatable)', collect, [])
    .option('--bump <level>', 'force the version bump: major, minor or patch')
    .option('--version <x.y.z>', 'register exactly this version')
    .option('--fail-under <metric=value>', 'exit 4 (and register nothing) when a test metric is below value, or below an alias\'s: f1_macro=production-0.01 (repeatable)', collect, [])
    .option('--fail-over <metric=value>', 'exit 4 (and register nothing) when a test metric is above value (repeatable)', collect, [])
    .option('--runs-dir <dir>', 'where the study journal goes when the config has search: (default: $SOMA_RUNS or ./artifacts/runs)')
    .action(async (flags: TrainFlags, cmd: Command) => {
      const r = ctx.reporter(cmd);
      markDuckDBLoaded();
      const { train } = await import('../pipeline/train.js');
      const { gatesFromFlags, formatGate } = await import('../pipeline/gates.js');
      const { renderMetricsTable } = await import('../evaluate/table.js');
      const { baselineJson, baselineLine } = await import('../pipeline/baseline.js');
      const pause = Number(ctx.io.env['SOMA_TEST_PAUSE_BEFORE_RENAME_MS'] ?? '');
      const status = new PhaseStatus(r);
      try {
        await ctx.interruptible(async (signal) => {
          const result = await train({
            config: resolvePath(ctx, flags.config),
            sets: flags.set,
            registryDir: ctx.registryDir(cmd),
            ...(flags.bump ? { bump: flags.bump as 'major' | 'minor' | 'patch' } : {}),
            ...(flags.version ? { version: flags.version } : {}),
            extraGates: gatesFromFlags(flags.failUnder, flags.failOver),
            runsDir: ctx.runsDir(flags.runsDir),
            command: ctx.command,
            cwd: ctx.io.cwd,
            onWarning: (m) => {
              // A warning goes on its own line, not after the status line's text.
              r.endProgress();
              r.warn(m);
            },
            onPhase: status.listener,
            // Only a drawn bar asks for the metrics: the train metric costs a pass over the rows.
            ...(r.showsProgress ? { onProgress: throttled((p) => r.progress('training', p.iteration, p.total, progressText(p))) } : {}),
            signal,
            // Test-only: holds a real run inside the registry lock so a crash test can kill it there.
            ...(Number.isFinite(pause) && pause > 0 ? { pauseBeforeRenameMs: pause } : {}),
          });
          status.stop();
          r.result(
            {
              name: result.name,
              version: result.version,
              id: result.id,
              path: result.path,
              metrics: result.metrics,
              timings: result.timings,
              bump: result.bump,
              gates: result.gates,
              ...(result.baseline ? { baseline: baselineJson(result.baseline) } : {}),
              report: `${result.path}/report.html`,
            },
            () =>
              [
                `${r.c.green('✓')} registered ${r.c.bold(`${result.name} ${result.version}`)} (${result.bump.level}: ${result.bump.reason})`,
                `  ${result.overview}`,
                '',
                renderMetricsTable(result.metrics),
                ...(result.baseline ? ['', `  ${result.baseline.beaten === false ? r.c.red(baselineLine(result.baseline)) : baselineLine(result.baseline)}`] : []),
                ...(result.gates.length ? ['', ...result.gates.map((g) => `  gate ${formatGate(g)}`)] : []),
                '',
                `  timings: ${Object.entries(result.timings).map(([k, v]) => `${k.replace(/_s$/, '')} ${v.toFixed(2)}s`).join(' · ')}`,
                `  report: ${result.path}/report.html`,
              ].join('\n'),
          );
        });
      } finally {
        status.stop();
      }
    });
}

/** Redraws at most every 200 ms (and always the first and last frames), so the train metric a frame reads is computed that often. */
function throttled(draw: (p: Progress) => void): (p: Progress) => void {
  let last = -Infinity;
  return (p) => {
    const now = performance.now();
    if (p.iteration > 1 && p.iteration !== p.total && now - last < 200) return;
    last = now;
    draw(p);
  };
}

/** The progress bar's note: the metric on the training and validation data, when the model reports them. */
function progressText(p: Progress): string {
  const parts: string[] = [];
  if (p.train !== undefined) parts.push(`train ${p.train.toPrecision(4)}`);
  if (p.validation !== undefined) parts.push(`validation ${p.validation.toPrecision(4)}`);
  return parts.length > 0 ? `${p.metric ?? 'metric'} ${parts.join(' · ')}` : '';
}
