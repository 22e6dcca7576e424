// `soma init --data F --target COL`: a starter soma.yaml from a data file's profile.

import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { markDuckDBLoaded } from './lazy.js';
import type { CommandContext } from './context.js';
import { resolvePath } from './validate.js';

export function registerInit(program: Command, ctx: CommandContext): void {
  program
    .command('init')
    .description('profile a data file and write a starter soma.yaml')
    .requiredOption('--data <file>', 'data file (CSV, TSV, Parquet, JSON, NDJSON)')
    .requiredOption('--target <column>', 'the column to predict')
    .option('-o, --output <file>', 'config file to write', 'soma.yaml')
    .option('--name <name>', 'model name (default: from the config file or directory name)')
    .option('--force', 'overwrite an existing config')
    .action(async (flags: { data: string; target: string; output: string; name?: string; force?: boolean }, cmd: Command) => {
      const r = ctx.reporter(cmd);
      markDuckDBLoaded();
      const { init } = await import('../pipeline/init.js');
      const result = await init({
        data: resolvePath(ctx, flags.data),
        target: flags.target,
        output: resolvePath(ctx, flags.output),
        ...(flags.name ? { name: flags.name } : {}),
        schemaPath: fileURLToPath(new URL('../../configs/soma.schema.json', import.meta.url)),
        ...(flags.force ? { force: true } : {}),
      });
      r.result({ ...result, config: flags.output }, () =>
        [
          `${r.c.green('✓')} wrote ${flags.output}: ${result.task} of ${flags.target} from ${result.features.length} columns (${result.rows} rows)`,
          ...(result.dropped.length ? [`  left out (free text or empty): ${result.dropped.join(', ')}`] : []),
          `  next: soma train -c ${flags.output}`,
        ].join('\n'),
      );
    });
}
