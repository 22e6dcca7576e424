// `soma evaluate REF --data F`: metrics of a registered model on any labelled file.

import type { Command } from 'commander';
import { markDuckDBLoaded } from './lazy.js';
import type { CommandContext } from './context.js';
import { collect, resolvePath } from './validate.js';

export function registerEvaluate(program: Command, ctx: CommandContext): void {
  program
    .command('evaluate')
    .description('metrics of a registered model on a labelled data file')
    .argument('<ref>', 'model: name, name@1.2.0, name@^1.2, name@alias or name_v1.2.0')
    .requiredOption('--data <file>', 'labelled data file (CSV, TSV, Parquet, JSON, NDJSON)')
    .option('--format <format>', 'file format when the extension does not say')
    .option('--metrics <names>', 'comma-separated metric names (default: all for the task)')
    .option('--fail-under <metric=value>', 'exit 4 when a metric is below value, or below the alias version\'s on the same data: f1_macro=production-0.01 (repeatable)', collect, [])
    .option('--fail-over <metric=value>', 'exit 4 when a metric is above value (repeatable)', collect, [])
    .option('--report <file>', 'also write an HTML report (charts, importance, data profile) of this evaluation')
    .action(async (ref: string, flags: { data: string; format?: string; metrics?: string; failUnder: string[]; failOver: string[]; report?: string }, cmd: Command) => {
      const r = ctx.reporter(cmd);
      markDuckDBLoaded();
      const { evaluate } = await import('../pipeline/evaluate.js');
      const { gatesFromFlags, formatGate, assertGates } = await import('../pipeline/gates.js');
      const { renderMetricsTable } = await import('../evaluate/table.js');
      const result = await evaluate({
        ref,
        data: resolvePath(ctx, flags.data),
        registryDir: ctx.registryDir(cmd),
        ...(flags.format ? { format: flags.format } : {}),
        ...(flags.metrics ? { metrics: flags.metrics.split(',').map((m) => m.trim()) } : {}),
        gates: gatesFromFlags(flags.failUnder, flags.failOver),
        ...(flags.report ? { report: resolvePath(ctx, flags.report) } : {}),
      });
      result.warnings.forEach((w) => r.warn(w));
      r.result({ ref: result.ref, id: result.id, version: result.version, rows: result.rows, metrics: result.metrics, ...(result.confusion_matrix ? { confusion_matrix: result.confusion_matrix } : {}), gates: result.gates, ...(result.report ? { report: result.report } : {}) }, () =>
        [
          `${result.id} on ${flags.data} (${result.rows} rows)`,
          renderMetricsTable({ [flags.data.split('/').pop() ?? 'data']: result.metrics }),
          ...result.gates.map((g) => `  gate ${formatGate(g)}`),
          ...(result.report ? [`  report: ${result.report}`] : []),
        ].join('\n'),
      );
      assertGates(result.gates);
    });
}
