// What a request carries and what it is answered with, between the protocols (which read bodies
// and write answers in their own shapes) and the model (which checks rows against its contract):
// rows as the protocol delivered them, and the answer's columns as JSON values.

import { numericValues, type Column } from '../data/frame.js';
import type { JsonObject, JsonValue } from '../util/json.js';

/** Rows as a protocol delivered them, not yet checked against any model. */
export type RequestRows =
  /** Objects keyed by column name. */
  | { kind: 'records'; records: JsonValue[]; source: string }
  /** Equally long arrays keyed by column name (strings read with `nullStrings` for a CSV body). */
  | { kind: 'columns'; columns: JsonObject; source: string; nullStrings?: readonly string[] }
  /** Lists of values, named by `names`, or (null) by the model's input columns in contract order. */
  | { kind: 'rows'; rows: JsonValue[]; names: string[] | null; source: string };

/** An answer's column: its values as JSON (NaN and missing as null), and whether they are numbers or strings. */
export interface AnswerColumn {
  name: string;
  kind: 'number' | 'string';
  values: JsonValue[];
}

/** What answered a request and what it said, before a protocol shapes it. */
export interface Answer {
  model: string;
  version: string;
  /** `name_vX.Y.Z` */
  id: string;
  /** The traffic split's arm that answered, or null when the model has no split. */
  arm: string | null;
  rows: number;
  /** Every row came from the prediction cache. */
  cached: boolean;
  /** The id column (when the model has one), `prediction`, then the task's other columns, as `soma predict` writes them. */
  columns: AnswerColumn[];
}

/** A Frame column's cells as JSON: numbers (NaN -> null), strings (missing -> null), datetimes as ISO strings. */
export function answerColumn(c: Column): AnswerColumn {
  switch (c.type) {
    case 'numeric': {
      const v = numericValues(c);
      const values = new Array<JsonValue>(v.length);
      for (let i = 0; i < v.length; i++) values[i] = Number.isFinite(v[i]!) ? v[i]! : null;
      return { name: c.name, kind: 'number', values };
    }
    case 'datetime': {
      const values = new Array<JsonValue>(c.values.length);
      for (let i = 0; i < c.values.length; i++) values[i] = Number.isFinite(c.values[i]!) ? new Date(c.values[i]!).toISOString() : null;
      return { name: c.name, kind: 'string', values };
    }
    case 'categorical': {
      const values = new Array<JsonValue>(c.codes.length);
      for (let i = 0; i < c.codes.length; i++) values[i] = c.codes[i]! < 0 ? null : c.dictionary[c.codes[i]!]!;
      return { name: c.name, kind: 'string', values };
    }
    case 'text':
      return { name: c.name, kind: 'string', values: c.values.slice() };
  }
}

/** The answer as one object per row, keyed by column name (soma's and MLflow's shape). */
export function answerRecords(columns: readonly AnswerColumn[], rows: number): JsonObject[] {
  const out = new Array<JsonObject>(rows);
  for (let i = 0; i < rows; i++) {
    const r: JsonObject = {};
    for (const c of columns) r[c.name] = c.values[i]!;
    out[i] = r;
  }
  return out;
}
