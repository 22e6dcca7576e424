// The one place a request's rows meet the pipeline: rows as a protocol delivered them -> the
// model's checked input Frame (pipeline/predict-records.ts, the same conversion and messages as
// `soma predict` on a file) -> the output columns `soma predict` writes (predictionColumns, the
// same per-chunk step). Tasks whose requests are not rows (forecast horizons, recommendation
// users) plug in here, beside `prepareRows`.

import type { Column, Frame } from '../data/frame.js';
import { splitIdColumn } from '../pipeline/contract.js';
import type { LoadedModel } from '../pipeline/loaded-model.js';
import { columnsInput, recordsInput } from '../pipeline/predict-records.js';
import { predictionColumns } from '../pipeline/predict-worker.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import { ServeError } from './errors.js';
import { setOwn } from './http.js';
import type { AnswerColumn, RequestRows } from './input.js';
import { answerColumn } from './input.js';

/** A request's rows checked against one version's contract. */
export interface PreparedRows {
  rows: number;
  /** The model's input columns, in contract order. */
  features: Frame;
  /** The id column, when the model has one (never a feature). */
  passThrough: Column[];
}

/** Checks and types a request's rows for `model`; DATA_* errors name the column, row and value. */
export function prepareRows(model: LoadedModel, rows: RequestRows, onWarning?: (message: string) => void): PreparedRows {
  const options = { source: rows.source, ...(onWarning ? { onWarning } : {}) };
  let input: Frame;
  switch (rows.kind) {
    case 'records':
      input = recordsInput(model, rows.records, options);
      break;
    case 'columns':
      input = columnsInput(model, rows.columns, { ...options, ...(rows.nullStrings ? { nullStrings: rows.nullStrings } : {}) });
      break;
    case 'rows':
      input = columnsInput(model, rowsToColumns(rows.rows, rows.names ?? model.contract.columns.map((c) => c.name), rows.source), options);
      break;
  }
  const { passThrough, features } = splitIdColumn(model.contract, input);
  return { rows: features.rows, features, passThrough };
}

/** The output columns for checked rows (several requests' rows may be stacked into one call). */
export function predictFeatures(model: LoadedModel, features: Frame): Column[] {
  return predictionColumns(model, features);
}

/** The output columns' names and kinds, from a prediction of no rows (what V2 metadata lists). */
export function outputColumns(model: LoadedModel): AnswerColumn[] {
  const empty = prepareRows(model, { kind: 'records', records: [], source: 'metadata' });
  const id = model.contract.id ? [{ name: model.contract.id, kind: 'string' as const, values: [] }] : [];
  return [...id, ...predictFeatures(model, empty.features).map(answerColumn)];
}

/** The first row's value of the id column, as the request key of a traffic split; undefined when absent. */
export function idValueOf(rows: RequestRows, id: string | null): string | undefined {
  if (!id) return undefined;
  let v: JsonValue | undefined;
  if (rows.kind === 'records') {
    const r = rows.records[0];
    if (r !== null && typeof r === 'object' && !Array.isArray(r)) v = (r as JsonObject)[id];
  } else if (rows.kind === 'columns') {
    const c = rows.columns[id];
    if (Array.isArray(c)) v = c[0];
  } else if (rows.names) {
    const j = rows.names.indexOf(id);
    const r = rows.rows[0];
    if (j >= 0 && Array.isArray(r)) v = r[j];
  }
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Rows of values named by `names` as an object of columns; 400 naming the row whose length is wrong. */
function rowsToColumns(rows: readonly JsonValue[], names: readonly string[], source: string): JsonObject {
  const columns: JsonValue[][] = names.map(() => new Array<JsonValue>(rows.length));
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!Array.isArray(r) || r.length !== names.length) {
      throw new ServeError('HTTP_BAD_REQUEST', `${source}: row ${i + 1} is ${Array.isArray(r) ? `a list of ${r.length} values` : 'not a list'}, expected ${names.length} values (${names.slice(0, 8).join(', ')}${names.length > 8 ? ', ...' : ''})`, {
        details: { row: i + 1, expected: names.length },
      });
    }
    for (let j = 0; j < names.length; j++) columns[j]![i] = r[j]!;
  }
  const out: JsonObject = {};
  names.forEach((n, j) => {
    if (Object.hasOwn(out, n)) throw new ServeError('HTTP_BAD_REQUEST', `${source}: column "${n}" is named twice`);
    setOwn(out, n, columns[j]!);
  });
  return out;
}
