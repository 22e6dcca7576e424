// How many cells of each column each missing-value token replaced (`?` 11, `NA` 2, empty 5), for
// `soma profile`: the readers turn those tokens into missing values silently, and the profile is
// where a user checks what that did. One extra pass over the file, as text, counting only the
// dialect's tokens; CSV and TSV only (other formats have real nulls).

import { withConnection } from './duckdb.js';
import { sqlIdent, sqlString } from './formats.js';
import { describeSource, openSource, type Source } from './source.js';
import { whitespaceSql, type CsvOptions } from './dialect.js';

/** Column -> token -> cells (only tokens that occur); undefined for formats without tokens. */
export type MissingTokenCounts = Record<string, Record<string, number>>;

export async function countMissingTokens(path: string, options: { format?: string; csv?: CsvOptions } = {}): Promise<MissingTokenCounts | undefined> {
  const src = await openSource(path, options.format, options.csv);
  if (!src.csv || src.csv.naValues.length === 0) return undefined;
  const tokens = src.csv.naValues;
  return withConnection(async (c) => {
    // As text, DuckDB cannot tell a header from data: take the typed read's answer.
    const typed = (await describeSource(c, src)).map((i) => i.name);
    const raw = rawText(src, !typed.every((n, i) => n === `column${i}`));
    const names = (await c.runAndReadAll(`DESCRIBE SELECT * FROM ${raw}`)).getRows().map((r) => String(r[0]));
    if (names.length === 0) return {};
    const aggregates = names.flatMap((n) => tokens.map((t) => `count(*) FILTER (WHERE ${sqlIdent(n)} = ${sqlString(t)})`));
    const row = (await c.runAndReadAll(`SELECT ${aggregates.join(', ')} FROM ${raw}`)).getRows()[0] ?? [];
    const out: MissingTokenCounts = {};
    names.forEach((n, i) => {
      tokens.forEach((t, k) => {
        const count = Number(row[i * tokens.length + k] ?? 0);
        if (count > 0) (out[n] ??= {})[t] = count;
      });
    });
    return out;
  });
}

/** The file as text with no value read as missing, so each token is still itself. */
function rawText(src: Source, header: boolean): string {
  const d = src.csv!;
  // A null string that never occurs: empty fields stay ''.
  const none = { ...d, naValues: ['\u0001'] };
  if (src.whitespace) return whitespaceSql(src.path, { ...none, header }, src.whitespace.names, []);
  const opts: string[] = [`all_varchar = true`, `nullstr = ${sqlString('\u0001')}`, `header = ${header}`];
  if (d.delimiter !== undefined) opts.push(`delim = ${sqlString(d.delimiter)}`);
  if (d.skipRows > 0) opts.push(`skip = ${d.skipRows}`);
  if (d.quote !== undefined) opts.push(`quote = ${sqlString(d.quote)}`);
  if (d.comment !== undefined) opts.push(`comment = ${sqlString(d.comment)}`);
  return `read_csv(${sqlString(src.path)}, ${opts.join(', ')})`;
}

/** The counts as lines: one per token, with its cells and the columns they were in, most first. */
export function renderMissingTokens(counts: MissingTokenCounts): string[] {
  const byToken = new Map<string, [string, number][]>();
  for (const [column, tokens] of Object.entries(counts)) {
    for (const [token, n] of Object.entries(tokens)) {
      let list = byToken.get(token);
      if (!list) byToken.set(token, (list = []));
      list.push([column, n]);
    }
  }
  const total = (l: [string, number][]): number => l.reduce((s, [, n]) => s + n, 0);
  return [...byToken]
    .sort((a, b) => total(b[1]) - total(a[1]))
    .map(([token, list]) => {
      const cols = list.sort((a, b) => b[1] - a[1]);
      const shown = cols.slice(0, 6).map(([c, n]) => `${c} ${n}`).join(', ');
      const more = cols.length > 6 ? ` and ${cols.length - 6} more columns` : '';
      return `${token === '' ? 'empty' : JSON.stringify(token)}: ${total(list)} cell${total(list) === 1 ? '' : 's'} (${shown}${more})`;
    });
}
