// One prediction log line (monitor/prediction-log.ts, format version 1) written straight from
// the request's checked inputs: the same text JSON.stringify gives for the record, without first
// copying every input column into a JSON array (a record is written for every request, so this
// is on every request's CPU bill).

import type { Column, Frame } from '../data/frame.js';
import { numericValues } from '../data/frame.js';
import type { PredictionLogRecord } from '../monitor/prediction-log.js';
import type { JsonValue } from '../util/json.js';

/** The record's fields before `inputs` and `outputs`, in the format's order. */
export type LogHead = Omit<PredictionLogRecord, 'inputs' | 'outputs'>;

/** The NDJSON text of a record (without the newline): `head`, then inputs from the frame, then outputs. */
export function logLine(head: LogHead, inputs: Frame | null, outputs: Record<string, JsonValue[]> | null): string {
  const h = JSON.stringify(head);
  return `${h.slice(0, -1)},"inputs":${inputs ? inputsJson(inputs) : 'null'},"outputs":${outputs ? JSON.stringify(outputs) : 'null'}}`;
}

/** The model's input columns by name: numbers (datetimes as epoch ms), strings, missing as null. */
function inputsJson(frame: Frame): string {
  let out = '{';
  const cols = frame.columns;
  for (let j = 0; j < cols.length; j++) {
    const c = cols[j]!;
    out += `${j > 0 ? ',' : ''}${JSON.stringify(c.name)}:${columnJson(c)}`;
  }
  return `${out}}`;
}

function columnJson(c: Column): string {
  let out = '[';
  switch (c.type) {
    case 'numeric':
    case 'datetime': {
      const v = c.type === 'numeric' ? numericValues(c) : c.values;
      for (let i = 0; i < v.length; i++) {
        const x = v[i]!;
        // String(x) is JSON's spelling of a finite number; NaN and infinities are not JSON.
        out += `${i > 0 ? ',' : ''}${Number.isFinite(x) ? String(x) : 'null'}`;
      }
      break;
    }
    case 'categorical':
      for (let i = 0; i < c.codes.length; i++) {
        const k = c.codes[i]!;
        out += `${i > 0 ? ',' : ''}${k < 0 ? 'null' : JSON.stringify(c.dictionary[k]!)}`;
      }
      break;
    case 'text':
      for (let i = 0; i < c.values.length; i++) {
        const s = c.values[i];
        out += `${i > 0 ? ',' : ''}${s === null || s === undefined ? 'null' : JSON.stringify(s)}`;
      }
      break;
  }
  return `${out}]`;
}
