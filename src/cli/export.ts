// `soma export REF --format xgboost-json --output FILE`: a registered model in a format other
// tools load (see pipeline/export.ts for what is written and what the other tool must apply).

import type { Command } from 'commander';
import { markDuckDBLoaded } from './lazy.js';
import type { CommandContext } from './context.js';
import { resolvePath } from './validate.js';
import { addCsvOptions, csvOptionsFrom, type CsvFlags } from './csv-options.js';

interface ExportFlags extends CsvFlags {
  format: string;
  output: string;
  rows?: string;
  rowsOutput?: string;
  rowsFormat?: string;
}

export function registerExport(program: Command, ctx: CommandContext): void {
  const command = program
    .command('export')
    .description('write a registered model in a format other tools load (xgboost-json: a gbdt, or a random_forest / decision_tree regressor, as an XGBoost 1.7 JSON model over soma\'s preprocessed features)')
    .argument('<ref>', 'model: name, name@1.2.0, name@^1.2, name@alias or name_v1.2.0')
    .requiredOption('--format <format>', 'xgboost-json')
    .requiredOption('--output <file>', 'where to write the model')
    .option('--rows <file>', 'also write this data file\'s rows through the model\'s preprocessing (the matrix the exported model reads)')
    .option('--rows-output <file>', 'where --rows goes (CSV, TSV, Parquet, JSON or NDJSON by extension): one column per feature, categorical features as their codes')
    .option('--rows-format <format>', 'format of --rows when the extension does not say');
  addCsvOptions(command).action(async (ref: string, flags: ExportFlags, cmd: Command) => {
    const r = ctx.reporter(cmd);
    if (flags.rows) markDuckDBLoaded();
    const { exportModel } = await import('../pipeline/export.js');
    const result = await exportModel({
      ref,
      format: flags.format,
      output: resolvePath(ctx, flags.output),
      registryDir: ctx.registryDir(cmd),
      ...(flags.rows ? { rows: resolvePath(ctx, flags.rows) } : {}),
      ...(flags.rowsOutput ? { rowsOutput: resolvePath(ctx, flags.rowsOutput) } : {}),
      ...(flags.rowsFormat ? { rowsFormat: flags.rowsFormat } : {}),
      csv: csvOptionsFrom(flags),
    });
    r.result(result, () =>
      [
        `${result.id}: ${result.trees} trees as ${result.format} (XGBoost ${result.format_version}) -> ${result.output}`,
        `  features (${result.features.length}, in this order): ${result.features.map((f) => (f.type === 'c' ? `${f.name} (categorical)` : f.name)).join(', ')}`,
        ...(result.rows_output ? [`  ${result.rows} rows of preprocessed features -> ${result.rows_output}`] : []),
      ].join('\n'),
    );
  });
}
