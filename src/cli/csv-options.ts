// The CSV dialect options of commands that read a data file given on the command line (profile,
// init, evaluate, predict): the same keys as a config's `data.csv`, as flags.

import { Option, type Command } from 'commander';
import type { CsvOptions } from '../data/dialect.js';
import { SomaError } from '../errors.js';

export interface CsvFlags {
  delimiter?: string;
  header?: boolean;
  skipRows?: string;
  naValues?: string;
  quote?: string;
  comment?: string;
}

export function addCsvOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--delimiter <char>', 'CSV field delimiter: one character (\\t for tab) or "whitespace" (default: sniffed)'))
    .addOption(new Option('--header', 'the first line (after --skip-rows) names the columns (default: sniffed)'))
    .addOption(new Option('--no-header', 'the file has no header line: columns are column0, column1, ...'))
    .addOption(new Option('--skip-rows <n>', 'lines to skip before the header'))
    .addOption(new Option('--na-values <list>', 'comma-separated strings read as missing, replacing the default ?, -, NA, N/A, null, empty, ...'))
    .addOption(new Option('--quote <char>', 'quote character (default: sniffed)'))
    .addOption(new Option('--comment <char>', 'skip lines starting with this character'));
}

/** The flags as CsvOptions (only those given); `--skip-rows` must be a whole number. */
export function csvOptionsFrom(flags: CsvFlags): CsvOptions {
  const o: CsvOptions = {};
  if (flags.delimiter !== undefined) o.delimiter = flags.delimiter === '\\t' ? '\t' : flags.delimiter;
  if (flags.header !== undefined) o.header = flags.header;
  if (flags.skipRows !== undefined) {
    const n = Number(flags.skipRows);
    if (!/^\d+$/.test(flags.skipRows.trim()) || !Number.isSafeInteger(n)) throw new SomaError('USAGE', `--skip-rows ${flags.skipRows}: expected a whole number of lines (0 or more)`);
    o.skipRows = n;
  }
  if (flags.naValues !== undefined) o.naValues = flags.naValues.split(',');
  if (flags.quote !== undefined) o.quote = flags.quote;
  if (flags.comment !== undefined) o.comment = flags.comment;
  return o;
}
