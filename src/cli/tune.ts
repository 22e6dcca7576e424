// `soma tune -c C [--resume] [--storage URL]`: hyperparameter search only. A live table of trials on a terminal,
// the best params and (for a list of model families) the comparison table at the end; `--json`
// prints {study, best: {params, score}, trials: [{number, params, score, state}], ...}.

import path from 'node:path';
import type { Command } from 'commander';
import { SomaError } from '../errors.js';
import { markDuckDBLoaded } from './lazy.js';
import type { CommandContext } from './context.js';
import type { Reporter } from './io.js';
import { collect, resolvePath } from './validate.js';
import type { SearchOutcome } from '../pipeline/tune.js';
import type { FamilyRow, TrialSummary } from '../search/summary.js';

interface TuneFlags {
  config: string;
  set: string[];
  resume?: boolean;
  study?: string;
  nJobs?: string;
  runsDir?: string;
  storage?: string;
}

export function registerTune(program: Command, ctx: CommandContext): void {
  program
    .command('tune')
    .description('search hyperparameters by cross-validation (the config\'s search: section); resumable')
    .option('-c, --config <file>', 'config file', 'soma.yaml')
    .option('--set <key=value>', 'override a config value, e.g. search.trials=50 (repeatable)', collect, [])
    .option('--resume', 'continue a study (the latest, or --study NAME) after Ctrl-C or a crash')
    .option('--study <name>', 'study name (default: search.study, else a timestamp)')
    .option('--n-jobs <n>', 'trials in parallel on worker threads (overrides search.n_jobs)')
    .option('--runs-dir <dir>', 'where study journals live (default: $SOMA_RUNS or ./artifacts/runs)')
    .option('--storage <url>', 'share the study through PostgreSQL (postgresql://user@host/db; overrides search.storage): run this on any number of machines')
    .action(async (flags: TuneFlags, cmd: Command) => {
      const r = ctx.reporter(cmd);
      markDuckDBLoaded();
      let nJobs: number | undefined;
      if (flags.nJobs !== undefined) {
        nJobs = Number(flags.nJobs);
        if (!Number.isInteger(nJobs) || nJobs < 1) throw new SomaError('USAGE', `--n-jobs ${flags.nJobs}: expected an integer >= 1`);
      }
      const { tune } = await import('../pipeline/tune.js');
      const { searchJson } = await import('../search/summary.js');
      const live = r.io.isTTY && !r.opts.json && !r.opts.quiet;
      let header = false;
      await ctx.interruptible(async (signal) => {
        const outcome = await tune({
          config: resolvePath(ctx, flags.config),
          sets: flags.set,
          runsDir: ctx.runsDir(flags.runsDir),
          cwd: ctx.io.cwd,
          ...(flags.study !== undefined ? { study: flags.study } : {}),
          ...(flags.resume ? { resume: true } : {}),
          ...(nJobs !== undefined ? { nJobs } : {}),
          ...(flags.storage !== undefined ? { storage: flags.storage } : {}),
          onWarning: (m) => r.warn(m),
          signal,
          onTrial: (t, replayed) => {
            if (!live) return;
            if (!header) {
              r.io.stderr.write(`${r.c.dim(trialHeader())}\n`);
              header = true;
            }
            r.io.stderr.write(`${trialRow(t, r, replayed)}\n`);
          },
        });
        const json = searchJson(outcome);
        r.result(json, () => renderOutcome(outcome, r));
      });
    });
}

function trialHeader(): string {
  return `${'trial'.padStart(5)}  ${'state'.padEnd(8)}  ${'score'.padStart(10)}  ${'± std'.padStart(8)}  ${'secs'.padStart(7)}  params`;
}

function fmt(v: number | null | undefined): string {
  return v === null || v === undefined ? '-' : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toFixed(4);
}

function paramText(p: Record<string, unknown>): string {
  return Object.entries(p)
    .map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? +v.toPrecision(4) : String(v)}`)
    .join(' ');
}

function trialRow(t: TrialSummary, r: Reporter, replayed: boolean): string {
  const metricStd = t.metrics ? Object.values(t.metrics)[0]?.std : undefined;
  const state = t.state === 'failed' ? r.c.red(t.state.padEnd(8)) : t.state === 'pruned' ? r.c.yellow(t.state.padEnd(8)) : t.state.padEnd(8);
  const tail = t.state === 'failed' ? r.c.red(t.error ?? '') : paramText(t.params);
  return `${String(t.number).padStart(5)}  ${state}  ${fmt(t.score).padStart(10)}  ${fmt(metricStd).padStart(8)}  ${(t.duration_s?.toFixed(1) ?? '-').padStart(7)}  ${tail}${replayed ? r.c.dim(' (from journal)') : ''}${t.budget !== undefined ? r.c.dim(` budget=${t.budget}`) : ''}`;
}

function familyTable(rows: readonly FamilyRow[]): string {
  const lines = [`  ${'family'.padEnd(16)} ${'trials'.padStart(6)} ${'failed'.padStart(6)} ${'best'.padStart(10)} ${'mean'.padStart(10)}  best trial`];
  for (const f of rows) lines.push(`  ${f.family.padEnd(16)} ${String(f.trials).padStart(6)} ${String(f.failed).padStart(6)} ${fmt(f.best_score).padStart(10)} ${fmt(f.mean_score).padStart(10)}  ${f.best_trial ?? '-'}`);
  return lines.join('\n');
}

function renderOutcome(o: SearchOutcome, r: Reporter): string {
  const failed = o.trials.filter((t) => t.state === 'failed').length;
  const pruned = o.trials.filter((t) => t.state === 'pruned').length;
  const lines = [
    `${r.c.green('✓')} study ${r.c.bold(o.study)}: ${o.trials.length} trials (${failed} failed${pruned ? `, ${pruned} pruned` : ''}${o.replayed ? `, ${o.replayed} from the journal` : ''}) · ${o.method} · ${o.cv.folds}-fold ${o.cv.kind} CV on ${o.cv.rows} rows · ${o.seconds.toFixed(1)}s${o.stopped === 'timeout' ? ' · stopped by the timeout' : ''}`,
  ];
  if (o.best) {
    const std = o.best.metrics?.[o.metric]?.std;
    lines.push(`  best: trial ${o.best.number}, ${o.metric} ${fmt(o.best.score)}${std !== undefined ? ` ± ${fmt(std)}` : ''} (${o.direction})`, `  params: ${paramText(o.best.params)}`);
  } else {
    lines.push(r.c.red('  no trial succeeded'));
  }
  if (o.families.length > 1) lines.push('', familyTable(o.families));
  if (failed > 0) {
    const first = o.trials.find((t) => t.state === 'failed')!;
    lines.push('', `  first failure (trial ${first.number}): ${first.error}`);
  }
  const rel = path.relative(r.io.cwd, o.journal);
  lines.push('', `  journal: ${rel.startsWith('..') || path.isAbsolute(rel) ? o.journal : rel}`);
  return lines.join('\n');
}
