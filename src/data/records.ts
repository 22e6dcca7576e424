// JSON records and columns (what an HTTP body carries) into a Frame holding a schema's columns,
// without DuckDB: the in-memory twin of `readFrameChunks`, with the same checks and the same
// errors (checks.ts) as the file readers.
//
// Guarantees, for the same rows:
// - the same Frame as `readFrameChunks` gives for an NDJSON file of these records (when each
//   column holds one JSON type, as a file's column does): numbers and instants parse as DuckDB's
//   casts parse them (parse-values.ts), a categorical column's dictionary starts with the
//   schema's categories in their order and then adds new values in order of appearance, and a
//   key absent from a record, or null, is missing;
// - columns are built directly as typed arrays, one column at a time; no per-row object is made;
// - errors: DATA_MISSING_COLUMN naming every schema (or pass-through) column no record has,
//   DATA_BAD_VALUE naming the column, the row, the value and the expected type, DATA_FORMAT when
//   the input is not an array of objects (or an object of equally long arrays). Rows are counted
//   from 1, as the file readers count data rows: row N is `records[N - 1]`.
//
// What each column type accepts (anything else is DATA_BAD_VALUE):
// - numeric: JSON numbers; numeric strings (`"1.5"`, `" 2e3 "`); booleans as 1 and 0, as the
//   readers cast a BOOLEAN column;
// - datetime: numbers as epoch milliseconds (as the readers take a numeric column); ISO strings,
//   or strings in the schema column's strptime `format` when it has one (strptime.ts);
// - categorical: strings as they are; booleans as "true" and "false" (the readers' spelling); a
//   number as the schema category that spells it (`2` matches "2", or "2.0" when the training
//   file had that), else as JavaScript spells it; objects and arrays as their JSON text (the JSON
//   reader reads them too, in DuckDB's spelling; neither matches a training category);
// - text: as categorical, without the category matching.
// Keys that no schema column names are ignored, as the readers ignore a file's extra columns
// (`onInfo` lists them).

import { SomaError } from '../errors.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import { badValue, requireColumns } from './checks.js';
import { Frame, type Column } from './frame.js';
import { parseInstant, parseNumber } from './parse-values.js';
import { parseWithFormat } from './strptime.js';
import type { SchemaColumn } from './read.js';

export interface RecordsOptions {
  /** The columns to deliver, typed as given (categorical ones seeded with their categories). */
  schema: readonly SchemaColumn[];
  /** Columns carried through with their natural type (an id): numeric when every value is a number, else text. */
  passThrough?: readonly string[];
  /** Names the input in error messages, as a file path does for the readers. Default "records". */
  source?: string;
  /**
   * Strings that mean missing in every column, as the CSV reader's null strings (CSV_NULL_STRINGS)
   * do for a CSV body. Default none: like a JSON file, only null and absent keys are missing.
   */
  nullStrings?: readonly string[];
  /** Called once with the keys no schema or pass-through column uses (ignored). */
  onInfo?: (info: { extraColumns: string[] }) => void;
}

/** One value per row of a column, by row index. */
type Cells = (row: number) => JsonValue | undefined;

/** A Frame of the schema's columns (then the pass-through ones) from an array of records. */
export function frameFromRecords(records: readonly JsonValue[], options: RecordsOptions): Frame {
  const source = options.source ?? 'records';
  if (!Array.isArray(records)) throw notA(source, 'an array of records (objects)', records);
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      throw new SomaError('DATA_FORMAT', `${source}: record ${i + 1} is ${describe(r)}, expected an object of column values`, { details: { file: source, row: i + 1 } });
    }
  }
  const rows = records as readonly JsonObject[];
  const wanted = wantedColumns(options);
  // A key counts as present when any record has it (a record without it is missing there, as in
  // an NDJSON file). Empty input has nothing to check.
  if (rows.length > 0) {
    const absent = wanted.filter((n) => !rows.some((r) => Object.hasOwn(r, n)));
    if (absent.length > 0) requireColumns(source, keysOf(rows), wanted);
  }
  if (options.onInfo) {
    const used = new Set(wanted);
    options.onInfo({ extraColumns: keysOf(rows).filter((k) => !used.has(k)) });
  }
  return buildFrame(rows.length, options, source, (name) => (i) => {
    const r = rows[i]!;
    return Object.hasOwn(r, name) ? r[name] : undefined;
  });
}

/** A Frame of the schema's columns (then the pass-through ones) from an object of equally long arrays. */
export function frameFromColumns(columns: JsonObject, options: RecordsOptions): Frame {
  const source = options.source ?? 'records';
  if (typeof columns !== 'object' || columns === null || Array.isArray(columns)) throw notA(source, 'an object of columns (arrays of values)', columns);
  const wanted = wantedColumns(options);
  const have = Object.keys(columns);
  requireColumns(source, have, wanted);
  let rows = -1;
  let first = '';
  for (const name of wanted) {
    const values = columns[name];
    if (!Array.isArray(values)) {
      throw new SomaError('DATA_FORMAT', `${source}: column "${name}" is ${describe(values)}, expected an array of values`, { details: { file: source, column: name } });
    }
    if (rows < 0) {
      rows = values.length;
      first = name;
    } else if (values.length !== rows) {
      throw new SomaError('DATA_FORMAT', `${source}: column "${name}" has ${values.length} values, column "${first}" has ${rows} (every column needs one value per row)`, {
        details: { file: source, column: name, rows: values.length, expected: rows },
      });
    }
  }
  if (options.onInfo) {
    const used = new Set(wanted);
    options.onInfo({ extraColumns: have.filter((k) => !used.has(k)) });
  }
  return buildFrame(Math.max(0, rows), options, source, (name) => {
    const values = columns[name] as JsonValue[];
    return (i) => values[i];
  });
}

/** Schema columns, then pass-through columns that are not also in the schema. */
function wantedColumns(options: RecordsOptions): string[] {
  const inSchema = new Set(options.schema.map((s) => s.name));
  return [...options.schema.map((s) => s.name), ...(options.passThrough ?? []).filter((n) => !inSchema.has(n))];
}

function buildFrame(rows: number, options: RecordsOptions, source: string, cellsOf: (name: string) => Cells): Frame {
  const nulls = new Set(options.nullStrings ?? []);
  const inSchema = new Set(options.schema.map((s) => s.name));
  const columns: Column[] = options.schema.map((s) => buildColumn(s, rows, cellsOf(s.name), nulls, source));
  for (const name of options.passThrough ?? []) {
    if (!inSchema.has(name)) columns.push(passThroughColumn(name, rows, cellsOf(name), nulls, source));
  }
  if (columns.length === 0) throw new SomaError('USAGE', 'frameFromRecords needs at least one schema or pass-through column');
  return new Frame(columns);
}

function buildColumn(s: SchemaColumn, rows: number, cell: Cells, nulls: ReadonlySet<string>, source: string): Column {
  const bad = (i: number, v: JsonValue): SomaError => badValue(source, s.name, i + 1, shown(v), s.type, s.format);
  switch (s.type) {
    case 'numeric': {
      const values = new Float64Array(rows);
      for (let i = 0; i < rows; i++) {
        const v = cell(i);
        if (typeof v === 'number') values[i] = v;
        else if (v === null || v === undefined) values[i] = NaN;
        else if (typeof v === 'string') {
          const x = nulls.has(v) ? NaN : parseNumber(v);
          if (x === undefined) throw bad(i, v);
          values[i] = x;
        } else if (typeof v === 'boolean') values[i] = v ? 1 : 0;
        else throw bad(i, v);
      }
      return { type: 'numeric', name: s.name, values };
    }
    case 'datetime': {
      const values = new Float64Array(rows);
      for (let i = 0; i < rows; i++) {
        const v = cell(i);
        if (typeof v === 'number') values[i] = v;
        else if (v === null || v === undefined) values[i] = NaN;
        else if (typeof v === 'string') {
          const x = nulls.has(v) ? NaN : s.format !== undefined ? parseWithFormat(v, s.format) : parseInstant(v);
          if (x === undefined) throw bad(i, v);
          values[i] = x;
        } else throw bad(i, v);
      }
      return { type: 'datetime', name: s.name, values, ...(s.format !== undefined ? { format: s.format } : {}) };
    }
    case 'categorical': {
      const dict = new Dictionary(s.categories ?? []);
      const codes = new Int32Array(rows);
      for (let i = 0; i < rows; i++) {
        const v = cell(i);
        if (typeof v === 'string') codes[i] = nulls.has(v) ? -1 : dict.code(v);
        else if (v === null || v === undefined) codes[i] = -1;
        else if (typeof v === 'number') codes[i] = Number.isNaN(v) ? -1 : dict.code(dict.spellNumber(v));
        else if (typeof v === 'boolean') codes[i] = dict.code(v ? 'true' : 'false');
        else codes[i] = dict.code(JSON.stringify(v));
      }
      return { type: 'categorical', name: s.name, codes, dictionary: dict.values };
    }
    case 'text': {
      const values = new Array<string | null>(rows);
      for (let i = 0; i < rows; i++) values[i] = textOf(cell(i), nulls);
      return { type: 'text', name: s.name, values };
    }
  }
}

/** A pass-through column: numeric when every present value is a number, else text (as the readers type a pass-through column). */
function passThroughColumn(name: string, rows: number, cell: Cells, nulls: ReadonlySet<string>, source: string): Column {
  let numeric = true;
  for (let i = 0; i < rows && numeric; i++) {
    const v = cell(i);
    if (!(typeof v === 'number' || v === null || v === undefined)) numeric = false;
  }
  if (numeric) return buildColumn({ name, type: 'numeric' }, rows, cell, nulls, source);
  return buildColumn({ name, type: 'text' }, rows, cell, nulls, source);
}

/** A text cell: the string, or null for missing. */
function textOf(v: JsonValue | undefined, nulls: ReadonlySet<string>): string | null {
  if (typeof v === 'string') return nulls.has(v) ? null : v;
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isNaN(v) ? null : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v);
}

/** A growing dictionary seeded with the schema's categories, which keep codes 0.. in their order. */
class Dictionary {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  /** A number -> the first seed category that spells it ("2", "2.0", "2e0"), for numeric cells. */
  private byNumber: Map<number, string> | undefined;

  constructor(private readonly seed: readonly string[]) {
    for (const s of seed) this.code(s);
  }

  code(s: string): number {
    let k = this.index.get(s);
    if (k === undefined) {
      k = this.values.length;
      this.values.push(s);
      this.index.set(s, k);
    }
    return k;
  }

  /** How a numeric cell reads: its JavaScript spelling when that is a category, else the seed that spells the same number. */
  spellNumber(v: number): string {
    const s = String(v);
    if (this.index.has(s)) return s;
    if (!this.byNumber) {
      this.byNumber = new Map();
      for (const c of this.seed) {
        const x = parseNumber(c);
        if (x !== undefined && !Number.isNaN(x) && !this.byNumber.has(x)) this.byNumber.set(x, c);
      }
    }
    return this.byNumber.get(v) ?? s;
  }
}

/** Every key of any record, in order of first appearance (for messages and `onInfo`). */
function keysOf(rows: readonly JsonObject[]): string[] {
  const keys = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) keys.add(k);
  return [...keys];
}

/** A cell as a bad-value message shows it: strings as they are, anything else as JSON. */
function shown(v: JsonValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v === undefined) return 'absent';
  return typeof v === 'object' ? 'an object' : `a ${typeof v} (${JSON.stringify(v).slice(0, 40)})`;
}

function notA(source: string, expected: string, got: unknown): SomaError {
  return new SomaError('DATA_FORMAT', `${source}: expected ${expected}, got ${describe(got)}`, { details: { file: source } });
}
