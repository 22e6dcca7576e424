// `soma profile F`: column types, missing share, cardinality and ranges of a data file, and for
// CSV files how many cells each missing-value token (`?`, `NA`, empty, ...) replaced.

import type { Command } from 'commander';
import { markDuckDBLoaded } from './lazy.js';
import type { CommandContext } from './context.js';
import { resolvePath } from './validate.js';
import { addCsvOptions, csvOptionsFrom, type CsvFlags } from './csv-options.js';

export function registerProfile(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('profile')
    .description('column types, missing share, cardinality and ranges of a data file; for CSV, the cells each missing-value token replaced')
    .argument('<file>', 'CSV, TSV, Parquet, Arrow IPC, JSON or NDJSON file (or a glob)')
    .option('--format <format>', 'file format when the extension does not say');
  addCsvOptions(cmd).action(async (file: string, opts: { format?: string } & CsvFlags, cmd: Command) => {
    const r = ctx.reporter(cmd);
    markDuckDBLoaded();
    const { readFrame } = await import('../data/read.js');
    const { profileFrame, renderProfile } = await import('../data/profile.js');
    const { countMissingTokens, renderMissingTokens } = await import('../data/missing-tokens.js');
    const csv = csvOptionsFrom(opts);
    const read = { ...(opts.format ? { format: opts.format } : {}), csv };
    const frame = await readFrame(resolvePath(ctx, file), { ...read, onWarning: (w) => r.warn(w) });
    const tokens = (await countMissingTokens(resolvePath(ctx, file), read)) ?? {};
    const columns = profileFrame(frame).map((c) => (tokens[c.name] ? { ...c, missing_tokens: tokens[c.name] } : c));
    const tokenLines = renderMissingTokens(tokens);
    r.result({ file, rows: frame.rows, columns }, () =>
      [`${file}: ${renderProfile(columns)}`, ...(tokenLines.length > 0 ? ['read as missing:', ...tokenLines.map((l) => `  ${l}`)] : [])].join('\n'),
    );
  });
}
