// A text/csv request body (RFC 4180: a header line, comma-separated fields, double quotes around
// fields that hold commas, quotes or line breaks, "" for a quote inside) as columns of strings.
// The model's contract then types each column as the file readers would (records.ts, with the
// CSV null strings), so a CSV body reads as the same rows in a .csv file would.

import { ServeError } from '../errors.js';
import { setOwn } from '../http.js';

/** Columns of raw cells by header name; 400 naming the line when the body is not a table. */
export function parseCsvColumns(text: string, source: string): { columns: Record<string, string[]>; rows: number } {
  const records = parseCsv(text, source);
  if (records.length === 0) throw new ServeError('HTTP_BAD_REQUEST', `${source}: the CSV body is empty; expected a header line and rows`);
  const header = records[0]!;
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) throw new ServeError('HTTP_BAD_REQUEST', `${source}: the CSV header names column "${h}" twice`);
    seen.add(h);
  }
  const columns: Record<string, string[]> = {};
  for (const h of header) setOwn(columns, h, []);
  for (let r = 1; r < records.length; r++) {
    const rec = records[r]!;
    if (rec.length !== header.length) {
      throw new ServeError('HTTP_BAD_REQUEST', `${source}: CSV line ${r + 1} has ${rec.length} fields, the header has ${header.length}`, { details: { line: r + 1 } });
    }
    for (let j = 0; j < header.length; j++) columns[header[j]!]!.push(rec[j]!);
  }
  return { columns, rows: records.length - 1 };
}

/** Records of fields; a blank last line (a trailing newline) is not a record. */
function parseCsv(text: string, source: string): string[][] {
  const out: string[][] = [];
  let rec: string[] = [];
  let field = '';
  let i = 0;
  const n = text.length;
  let quoted = false;
  let line = 1;
  let atFieldStart = true;
  while (i < n) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const next = text[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new ServeError('HTTP_BAD_REQUEST', `${source}: CSV line ${line}: a closing quote must end its field`, { details: { line } });
        }
        continue;
      }
      if (ch === '\n') line++;
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
      i++;
      continue;
    }
    if (ch === ',') {
      rec.push(field);
      field = '';
      atFieldStart = true;
      i++;
      continue;
    }
    if (ch === '\n' || ch === '\r') {
      rec.push(field);
      out.push(rec);
      rec = [];
      field = '';
      atFieldStart = true;
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      continue;
    }
    field += ch;
    atFieldStart = false;
    i++;
  }
  if (quoted) throw new ServeError('HTTP_BAD_REQUEST', `${source}: CSV line ${line}: a quoted field is not closed`, { details: { line } });
  if (field !== '' || rec.length > 0) {
    rec.push(field);
    out.push(rec);
  }
  return out;
}
