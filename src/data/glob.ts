// The files an input names: a path, or a glob (`data/*.parquet`) expanded by DuckDB, the same
// expansion the readers apply, sorted so every process that expands it sees one order.

import { existsSync } from 'node:fs';
import { SomaError } from '../errors.js';
import { withConnection } from './duckdb.js';
import { isGlob, sqlString } from './formats.js';

export async function inputFiles(input: string): Promise<string[]> {
  if (!isGlob(input)) {
    if (!existsSync(input)) throw new SomaError('DATA_NOT_FOUND', `${input}: no such file`);
    return [input];
  }
  const files = await withConnection(async (c) => (await c.runAndReadAll(`SELECT file FROM glob(${sqlString(input)})`)).getRows().map((r) => String(r[0])));
  if (files.length === 0) throw new SomaError('DATA_NOT_FOUND', `${input}: the glob matches no file`);
  return files.sort();
}
