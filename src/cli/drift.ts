// `soma drift [REF] --data F [--reference F]`: per-column, prediction and target drift against a
// version's stored reference profile (or a second file); exit 5 when the data set or the
// predictions drift.

import { InvalidArgumentError, Option, type Command } from 'commander';
import { markDuckDBLoaded } from './lazy.js';
import type { CommandContext } from './context.js';
import { resolvePath } from './validate.js';
import { addCsvOptions, csvOptionsFrom, type CsvFlags } from './csv-options.js';

const METHODS = ['auto', 'ks', 'chi2', 'ztest', 'wasserstein', 'jensenshannon', 'psi'];

interface DriftFlags extends CsvFlags {
  data: string;
  reference?: string;
  columns?: string;
  method?: string;
  threshold?: number;
  driftShare?: number;
  format?: string;
  referenceFormat?: string;
  report?: string;
  failOnColumn?: boolean;
  chunkRows?: number;
}

export function registerDrift(program: Command, ctx: CommandContext): void {
  const command = program
    .command('drift')
    .description('data, prediction and target drift of a file against a version\'s stored training profile (or a reference file); exit 5 on drift')
    .argument('[ref]', 'model: name, name@1.2.0, name@^1.2, name@alias or name_v1.2.0 (optional with --reference: two files compared)')
    .requiredOption('--data <file>', 'the new data (CSV, TSV, Parquet, Arrow IPC, JSON, NDJSON), read once in chunks')
    .option('--reference <file>', 'compare with this file instead of the stored training profile')
    .option('--columns <names>', 'comma-separated input columns to test (default: all)')
    .addOption(new Option('--method <test>', 'one test for every column (default auto: Evidently\'s choice by type and reference size)').choices(METHODS))
    .option('--threshold <x>', 'threshold of every test: p-value for ks, chi2, ztest (drift below), distance for wasserstein, jensenshannon, psi (drift at or above)', (v) => nonNegative('--threshold', v))
    .option('--drift-share <x>', 'the data set drifts when this share of columns drift (default: monitoring.drift_share, else 0.5)', (v) => nonNegative('--drift-share', v))
    .option('--fail-on-column', 'exit 5 when any single column drifts, not only the data set')
    .option('--report <file>', 'also write a self-contained HTML report (per-column distributions, most drifted first)')
    .option('--format <format>', 'format of --data when the extension does not say')
    .option('--reference-format <format>', 'format of --reference when the extension does not say')
    .option('--chunk-rows <n>', 'rows per chunk (default 65536)', (v) => wholeNumber('--chunk-rows', v));
  command.addHelpText(
    'after',
    `
Tests (auto): reference up to 1000 values: numeric with more than 5 values KS (drift at p < 0.05),
categorical chi-square (p < 0.05), two values Z-test (p < 0.05); larger reference: numeric
Wasserstein distance over the reference std (>= 0.1), categorical Jensen-Shannon (>= 0.1). PSI is
always reported. Exit codes: 0 no drift, 5 drift, 2 usage, 3 data error, 6 registry error.`,
  );
  addCsvOptions(command).action(async (ref: string | undefined, flags: DriftFlags, cmd: Command) => {
    const r = ctx.reporter(cmd);
    markDuckDBLoaded();
    const { drift } = await import('../pipeline/drift.js');
    const { SomaError } = await import('../errors.js');
    await ctx.interruptible(async (signal) => {
      const reportPath = flags.report ? resolvePath(ctx, flags.report) : undefined;
      const { detail, ...result } = await drift({
        ...(ref ? { ref } : {}),
        data: resolvePath(ctx, flags.data),
        ...(flags.reference ? { reference: resolvePath(ctx, flags.reference) } : {}),
        registryDir: ctx.registryDir(cmd),
        ...(flags.columns ? { columns: flags.columns.split(',').map((c) => c.trim()).filter((c) => c !== '') } : {}),
        ...(flags.method ? { method: flags.method as 'auto' } : {}),
        ...(flags.threshold !== undefined ? { threshold: flags.threshold } : {}),
        ...(flags.driftShare !== undefined ? { driftShare: flags.driftShare } : {}),
        ...(flags.format ? { format: flags.format } : {}),
        ...(flags.referenceFormat ? { referenceFormat: flags.referenceFormat } : {}),
        csv: csvOptionsFrom(flags),
        ...(flags.chunkRows ? { chunkRows: flags.chunkRows } : {}),
        onProgress: (rows) => r.progress('reading', rows, undefined, 'rows'),
        onWarning: (m) => r.warn(m),
        signal,
      });
      r.endProgress();
      if (reportPath) {
        const { writeDriftReport } = await import('../pipeline/drift-report.js');
        await writeDriftReport(reportPath, result, detail);
      }
      const failedColumns = flags.failOnColumn === true && result.drifted_columns.length > 0;
      const reasons = failedColumns && !result.dataset_drift ? [...result.reasons, `--fail-on-column: ${result.drifted_columns.join(', ')} drifted`] : result.reasons;
      const out = { ...result, drift: reasons.length > 0, reasons, ...(reportPath ? { report: flags.report } : {}) };
      delete (out as { warnings?: unknown }).warnings;
      r.result(out, () => render(out, r.c.red, r.c.green));
      if (out.drift) throw new SomaError('DRIFT', reasons.join('; '), { reported: true, details: { drifted_columns: result.drifted_columns } });
    });
  });
}

type Out = Omit<Awaited<ReturnType<typeof import('../pipeline/drift.js').drift>>, 'detail' | 'warnings'> & { report?: string };

function render(r: Out, red: (s: string) => string, green: (s: string) => string): string {
  const lines = [`${r.id ?? r.data} · ${r.rows} rows against ${r.reference === 'profile' ? 'the stored training profile' : r.reference} (${r.reference_rows} rows)`];
  const show = (c: Out['columns'][number]): string => {
    if (!c.tested) return `  ${c.column.padEnd(24)} not tested: ${c.note ?? ''}`;
    const value = c.p_value !== null && c.p_value !== undefined ? `p=${fmt(c.p_value)}` : `${fmt(c.statistic!)}`;
    const mark = c.drift ? red('drift') : green('ok');
    return `  ${c.column.padEnd(24)} ${(c.method ?? '').padEnd(13)} ${value.padEnd(14)} ${mark.padEnd(5)}  psi ${fmt(c.psi!)}`;
  };
  lines.push(...r.columns.map(show));
  if (r.prediction) lines.push('prediction:', show(r.prediction));
  if (r.target) lines.push('target:', show(r.target));
  if (r.metrics) lines.push(`metrics: ${Object.entries(r.metrics).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`);
  lines.push(
    r.drift
      ? red(`drift: ${r.reasons.join('; ')}`)
      : green(`no drift: ${r.drifted_columns.length} of ${r.tested_columns} columns drifted (data set drift at ${Math.round(r.drift_share * 100)}%)`),
  );
  if (r.report) lines.push(`report: ${r.report}`);
  return lines.join('\n');
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(2) : String(Math.round(x * 1e4) / 1e4);
}

function nonNegative(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${flag}: expected a number >= 0, got ${JSON.stringify(value)}`);
  return n;
}

function wholeNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${flag}: expected a whole number >= 1, got ${JSON.stringify(value)}`);
  return n;
}
