// `soma profile F`: column types, missing share, cardinality and ranges of a data file.

import type { Command } from 'commander';
import { markDuckDBLoaded } from './lazy.js';
import type { CommandContext } from './context.js';
import { resolvePath } from './validate.js';

export function registerProfile(program: Command, ctx: CommandContext): void {
  program
    .command('profile')
    .description('column types, missing share, cardinality and ranges of a data file')
    .argument('<file>', 'CSV, TSV, Parquet, JSON or NDJSON file (or a glob)')
    .option('--format <format>', 'file format when the extension does not say')
    .action(async (file: string, opts: { format?: string }, cmd: Command) => {
      const r = ctx.reporter(cmd);
      markDuckDBLoaded();
      const { readFrame } = await import('../data/read.js');
      const { profileFrame, renderProfile } = await import('../data/profile.js');
      const frame = await readFrame(resolvePath(ctx, file), opts.format ? { format: opts.format } : {});
      const columns = profileFrame(frame);
      r.result({ file, rows: frame.rows, columns }, () => `${file}: ${frame.rows} rows, ${frame.columns.length} columns\n${renderProfile(columns)}`);
    });
}
