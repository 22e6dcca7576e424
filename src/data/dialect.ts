// CSV dialects: the options a user can give (`data.csv` in a config, `--delimiter` and friends on
// the command line), what soma finds by itself before DuckDB's own sniffer runs, and the
// reader options that result.
//
// DuckDB sniffs commas, semicolons, tabs and pipes, quotes and the header well, so soma leaves
// those to it. What it does not sniff, soma does from the file's first lines:
//   - whitespace-separated files (scikit-learn's `linnerud_exercise.csv`: `Chins Situps Jumps`),
//     which DuckDB reads as one column: a single space between fields becomes the delimiter;
//     runs of spaces or tabs (aligned columns) are split by a regular expression instead;
//   - missing-value tokens: `?`, `-`, `NA`, `N/A`, `null`, empty and a few more read as missing
//     in every column (DEFAULT_NA_VALUES), so one `?` no longer turns a numeric column into
//     categories; `na_values` replaces the list.
//   - very wide files (thousands of columns): DuckDB's own delimiter sniffing grows faster than
//     the width (20,000 columns: 14 s, against 3 s with the dialect given), so when the first
//     line has at least WIDE_FIELDS fields on exactly one delimiter soma names it, the quote
//     (`"` unless given) and the escape (the quote, RFC 4180) itself; DuckDB still finds the
//     header and the types.
// A header that looks like data (scikit-learn's `iris.csv` starts `150,4,setosa,...`, its Boston
// file has a line of counts above the header) is reported by `headerWarning`, naming skip_rows.

import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { SomaError } from '../errors.js';
import { CSV_NULL_STRINGS } from './checks.js';
import { sqlString } from './formats.js';
import { parseNumber } from './parse-values.js';

/** The CSV options a user can give; every one is optional and beats sniffing. */
export interface CsvOptions {
  /** One character, `\t`, or `whitespace` (runs of spaces and tabs). Default: sniffed. */
  delimiter?: string;
  /** Whether the first line (after skip_rows) names the columns. Default: sniffed by DuckDB. */
  header?: boolean;
  /** Lines to skip before the header (or the first row). Default 0. */
  skipRows?: number;
  /** Strings that mean missing in every column; replaces DEFAULT_NA_VALUES. */
  naValues?: readonly string[];
  /** The quote character. Default: sniffed by DuckDB (usually `"`). */
  quote?: string;
  /** Lines starting with this character are skipped. Default: none. */
  comment?: string;
}

/** What a CSV/TSV file is read with: the user's options over what sniffing found. */
export interface CsvDialect {
  /** A single-character delimiter, or undefined to let DuckDB sniff it. */
  readonly delimiter: string | undefined;
  /** Fields separated by runs of spaces or tabs (aligned columns); `delimiter` is then undefined. */
  readonly whitespace: boolean;
  readonly header: boolean | undefined;
  readonly skipRows: number;
  readonly naValues: readonly string[];
  readonly quote: string | undefined;
  /** The escape character, when soma decides it (wide files: the quote doubled, as RFC 4180); else DuckDB sniffs it. */
  readonly escape: string | undefined;
  readonly comment: string | undefined;
  /** How the delimiter was decided, for messages: `given`, `sniffed` (by soma) or `duckdb`. */
  readonly delimiterFrom: 'given' | 'sniffed' | 'duckdb';
}

/** Missing-value tokens read as missing unless `na_values` says otherwise. */
export const DEFAULT_NA_VALUES: readonly string[] = CSV_NULL_STRINGS;

/** How much of a file is looked at to sniff it. */
const SNIFF_BYTES = 64 << 10;
const SNIFF_LINES = 50;
/** Fields on the first line from which soma names the delimiter instead of DuckDB's sniffer. */
const WIDE_FIELDS = 1000;
/** Delimiters DuckDB's own sniffer recognises; when one of them explains the file, soma leaves it to DuckDB. */
const DUCKDB_DELIMITERS = [',', '\t', ';', '|'];

/** Checks the user's options (errors name the `data.csv` key, the value and what is accepted). */
export function checkCsvOptions(o: CsvOptions, where = 'data.csv'): void {
  const bad = (key: string, value: unknown, expected: string): SomaError =>
    new SomaError('CONFIG_INVALID', `${where}.${key}: ${JSON.stringify(value)} (expected ${expected})`, { details: { key: `${where}.${key}`, value: value as string } });
  if (o.delimiter !== undefined && o.delimiter !== 'whitespace' && [...o.delimiter].length !== 1) throw bad('delimiter', o.delimiter, 'one character such as ",", ";", "\\t" or " ", or "whitespace"');
  if (o.quote !== undefined && [...o.quote].length > 1) throw bad('quote', o.quote, 'one character, or "" for none');
  if (o.comment !== undefined && [...o.comment].length !== 1) throw bad('comment', o.comment, 'one character such as "#"');
  if (o.skipRows !== undefined && !(Number.isInteger(o.skipRows) && o.skipRows >= 0)) throw bad('skip_rows', o.skipRows, 'an integer >= 0');
}

/**
 * The dialect of `path`: the user's options, and for what they leave open, a look at the first
 * lines (globs are not sniffed: DuckDB sniffs their first file). `tsv` pins the tab.
 */
export async function sniffDialect(path: string, format: 'csv' | 'tsv', options: CsvOptions = {}, glob = false): Promise<CsvDialect> {
  checkCsvOptions(options);
  const base = {
    header: options.header,
    skipRows: options.skipRows ?? 0,
    naValues: options.naValues ?? DEFAULT_NA_VALUES,
    quote: options.quote,
    escape: undefined,
    comment: options.comment,
  };
  const given = options.delimiter ?? (format === 'tsv' ? '\t' : undefined);
  if (given === 'whitespace') return { ...base, delimiter: undefined, whitespace: true, delimiterFrom: 'given' };
  if (given !== undefined) return { ...base, delimiter: given, whitespace: false, delimiterFrom: 'given' };
  if (glob) return { ...base, delimiter: undefined, whitespace: false, delimiterFrom: 'duckdb' };
  const lines = await headLines(path, base.skipRows, base.comment);
  const found = sniffWhitespace(lines, base.quote ?? '"');
  if (found === 'single') return { ...base, delimiter: ' ', whitespace: false, delimiterFrom: 'sniffed' };
  if (found === 'runs') return { ...base, delimiter: undefined, whitespace: true, delimiterFrom: 'sniffed' };
  const wide = sniffWide(lines, base.quote ?? '"');
  if (wide !== undefined) {
    const quote = base.quote ?? '"';
    return { ...base, delimiter: wide, quote, escape: quote, whitespace: false, delimiterFrom: 'sniffed' };
  }
  return { ...base, delimiter: undefined, whitespace: false, delimiterFrom: 'duckdb' };
}

/**
 * The delimiter of a very wide file: the one DuckDB delimiter on which the first line has at least
 * WIDE_FIELDS fields (the line may be cut at the sniffing limit: a wide header is longer than it),
 * with every other full sampled line splitting into the same count. Undefined otherwise.
 */
export function sniffWide(lines: readonly string[], quote: string): string | undefined {
  const sample = lines.filter((l) => l.trim() !== '');
  if (sample.length === 0) return undefined;
  const hits = DUCKDB_DELIMITERS.filter((d) => {
    const counts = sample.map((l) => countFields(l, d, quote));
    // The last sampled line may be cut; the first alone is enough when it is the only one.
    const full = counts.length > 1 ? counts.slice(0, -1) : counts;
    return counts[0]! >= WIDE_FIELDS && full.every((c) => c === counts[0]);
  });
  return hits.length === 1 ? hits[0] : undefined;
}

/**
 * `single` when every sampled line splits on single spaces into the same number (>= 2) of
 * fields and no delimiter DuckDB knows does; `runs` when that holds for runs of spaces/tabs
 * (aligned columns, leading blanks); else undefined.
 */
export function sniffWhitespace(lines: readonly string[], quote: string): 'single' | 'runs' | undefined {
  const sample = lines.filter((l) => l.trim() !== '');
  if (sample.length === 0) return undefined;
  for (const d of DUCKDB_DELIMITERS) if (consistent(sample.map((l) => countFields(l, d, quote)))) return undefined;
  const runs = sample.map((l) => l.trim().split(/[ \t]+/).length);
  if (!consistent(runs)) return undefined;
  const single = sample.every((l) => !/^[ \t]|[ \t]$|[ \t]{2}|\t/.test(l));
  return single ? 'single' : 'runs';
}

/** Same count >= 2 on every line but possibly the last (a file cut at the sniffing limit). */
function consistent(counts: readonly number[]): boolean {
  const first = counts[0]!;
  if (first < 2) return false;
  const body = counts.length > 2 ? counts.slice(0, -1) : counts;
  return body.every((c) => c === first);
}

/** Fields of one line split on `d`, outside quotes. */
function countFields(line: string, d: string, quote: string): number {
  let n = 1;
  let quoted = false;
  for (const ch of line) {
    if (ch === quote) quoted = !quoted;
    else if (ch === d && !quoted) n++;
  }
  return n;
}

/** The first lines of a (possibly gzipped) text file after `skip` lines, comment lines left out. */
async function headLines(path: string, skip: number, comment: string | undefined): Promise<string[]> {
  const raw = await readHead(path);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(raw);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).slice(skip);
  // The last line may be cut at the byte limit; sniffWhitespace tolerates it.
  return lines.filter((l) => comment === undefined || !l.startsWith(comment)).slice(0, SNIFF_LINES + 1);
}

async function readHead(path: string): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
    const head = buf.subarray(0, bytesRead);
    if (!(head[0] === 0x1f && head[1] === 0x8b)) return head;
    return await gunzipHead(head);
  } finally {
    await fh.close();
  }
}

/** As much of the decompressed stream as the first compressed bytes give (a cut stream is fine). */
function gunzipHead(head: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    const z = createGunzip();
    const done = (): void => resolve(new Uint8Array(Buffer.concat(parts)));
    z.on('data', (b: Buffer) => {
      parts.push(b);
      size += b.length;
      if (size >= SNIFF_BYTES) z.destroy();
    });
    z.on('error', done);
    z.on('close', done);
    z.on('end', done);
    Readable.from([Buffer.from(head)]).pipe(z);
  });
}

/** DuckDB read_csv options for the dialect (and the extra ones a caller adds). */
export function dialectOptions(d: CsvDialect): string[] {
  const opts: string[] = [];
  if (d.delimiter !== undefined) opts.push(`delim = ${sqlString(d.delimiter)}`);
  if (d.header !== undefined) opts.push(`header = ${d.header}`);
  if (d.skipRows > 0) opts.push(`skip = ${d.skipRows}`);
  if (d.quote !== undefined) opts.push(`quote = ${sqlString(d.quote)}`);
  if (d.escape !== undefined) opts.push(`escape = ${sqlString(d.escape)}`);
  if (d.comment !== undefined) opts.push(`comment = ${sqlString(d.comment)}`);
  opts.push(`nullstr = [${d.naValues.map(sqlString).join(', ')}]`);
  return opts;
}

/**
 * A warning when the names DuckDB took from the header row look like data: numbers among them
 * (`150`, `4` in iris.csv, whose first line holds counts), or generated `columnNN` names beside
 * real ones (a first line with empty fields, as Boston's `506,13,,,,`). Undefined otherwise; a
 * file with no header at all (every name generated) is not warned about.
 */
export function headerWarning(path: string, names: readonly string[]): string | undefined {
  const generated = names.filter((n) => /^column\d+$/.test(n));
  const numeric = names.filter((n) => parseNumber(n) !== undefined);
  if (numeric.length === 0 && (generated.length === 0 || generated.length === names.length)) return undefined;
  const shown = (numeric.length > 0 ? numeric : generated).slice(0, 4).map((n) => JSON.stringify(n)).join(', ');
  const why = numeric.length > 0 ? `column names ${shown} are numbers` : `columns ${shown} have no name in it`;
  return (
    `${path}: the header row looks like data (${why}); if the file starts with lines above the header, ` +
    `skip them with skip_rows (data.csv.skip_rows: 1 in a config, --skip-rows 1 on the command line), or set header: false if it has none`
  );
}

/** The whitespace-split relation of a file with `columns` fields per line, as DuckDB SQL. */
export function whitespaceSql(path: string, d: CsvDialect, names: readonly string[], extra: readonly string[]): string {
  // Each line is read whole (a delimiter and quote that never occur), trimmed, split on runs of
  // blanks; the header line gives the names (the caller passes them) and is skipped.
  const skip = d.skipRows + (d.header === false ? 0 : 1);
  const nulls = d.naValues.map(sqlString).join(', ');
  const line = `read_csv(${sqlString(path)}, columns = {'line': 'VARCHAR'}, delim = '\\x1f', quote = '', escape = '', header = false, skip = ${skip}${d.comment !== undefined ? `, comment = ${sqlString(d.comment)}` : ''}${extra.length ? `, ${extra.join(', ')}` : ''})`;
  const fields = names.map((n, i) => `CASE WHEN f[${i + 1}] IN (${nulls}) THEN NULL ELSE f[${i + 1}] END AS "${n.replaceAll('"', '""')}"`);
  return `(SELECT ${fields.join(', ')} FROM (SELECT regexp_split_to_array(trim(line), '[ \\t]+') AS f FROM ${line} WHERE trim(line) <> ''))`;
}
