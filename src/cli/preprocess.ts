// `soma preprocess -c C --output F`: fit the config's preprocessing on the training split and
// write the transformed training data plus the fitted pipeline beside it.

import type { Command } from 'commander';
import { markDuckDBLoaded } from './lazy.js';
import type { CommandContext } from './context.js';
import { collect, resolvePath } from './validate.js';

interface PreprocessFlags {
  config: string;
  set: string[];
  output: string;
}

export function registerPreprocess(program: Command, ctx: CommandContext): void {
  program
    .command('preprocess')
    .description('fit the preprocessing pipeline on the training split; write the transformed data and the fitted pipeline')
    .option('-c, --config <file>', 'config file', 'soma.yaml')
    .option('--set <key=value>', 'override a config value (repeatable)', collect, [])
    .requiredOption('-o, --output <file>', 'transformed training data (CSV, TSV, Parquet, JSON or NDJSON by extension); the fitted pipeline goes beside it as <name without extension>.preprocess.json')
    .action(async (flags: PreprocessFlags, cmd: Command) => {
      const r = ctx.reporter(cmd);
      markDuckDBLoaded();
      const { preprocess } = await import('../pipeline/preprocess.js');
      const result = await preprocess({
        config: resolvePath(ctx, flags.config),
        sets: flags.set,
        output: resolvePath(ctx, flags.output),
        onWarning: (m) => r.warn(m),
      });
      r.result(result, () =>
        [
          `${r.c.green('✓')} wrote ${result.rows} rows x ${result.columns.length} columns to ${flags.output}${result.rows < result.input_rows ? ` (${result.input_rows - result.rows} training rows dropped by ${result.steps.filter((s) => s === 'dedupe' || s === 'outliers').join(', ')})` : ''}`,
          `  steps: ${result.steps.join(' -> ') || '(none)'} · ${result.features} features`,
          `  pipeline: ${result.pipeline}`,
        ].join('\n'),
      );
    });
}
