// soma's own protocol, `POST /models/{name}/predict`: `{"records": [{column: value}, ...]}` or
// `{"columns": {column: [values]}}` (or a bare array of records), answered per row with the id
// column, the prediction and the class probabilities, and the version that answered:
//   {"model": "penguins", "version": "1.2.0", "id": "penguins_v1.2.0", "arm": null, "rows": 1,
//    "cached": false, "predictions": [{"prediction": "Adelie", "proba_Adelie": 0.97, ...}]}
// Failures: {"error": {"code", "message", "hint"?, "details"?}}, as `soma ... --json` prints them.

import { ServeError } from '../errors.js';
import { answerRecords } from '../input.js';
import { parseJsonBody } from '../http.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../util/json.js';
import { describe, problemFields, type Protocol } from './protocol.js';

export const somaProtocol: Protocol = {
  name: 'soma',
  parse(body) {
    const doc = parseJsonBody(body, 'request');
    if (Array.isArray(doc)) return { rows: { kind: 'records', records: doc as JsonValue[], source: 'records' } };
    if (!isJsonObject(doc)) throw shape(`got ${describe(doc)}`);
    const hasRecords = doc['records'] !== undefined;
    const hasColumns = doc['columns'] !== undefined;
    if (hasRecords === hasColumns) throw shape(hasRecords ? 'it has both "records" and "columns"' : `it has neither (keys: ${Object.keys(doc).slice(0, 10).join(', ') || 'none'})`);
    if (hasRecords) {
      if (!Array.isArray(doc['records'])) throw shape(`"records" is ${describe(doc['records'])}, expected an array of objects`);
      return { rows: { kind: 'records', records: doc['records'], source: 'records' } };
    }
    if (!isJsonObject(doc['columns'])) throw shape(`"columns" is ${describe(doc['columns'])}, expected an object of arrays`);
    return { rows: { kind: 'columns', columns: doc['columns'] as JsonObject, source: 'columns' } };
  },
  answer(a) {
    return { model: a.model, version: a.version, id: a.id, arm: a.arm, rows: a.rows, cached: a.cached, predictions: answerRecords(a.columns, a.rows) };
  },
  error(p) {
    return { error: { ...problemFields(p), message: p.message } };
  },
};

function shape(why: string): ServeError {
  return new ServeError('HTTP_BAD_REQUEST', `request: expected {"records": [...]} or {"columns": {...}}; ${why}`, {
    hint: 'send {"records": [{"column": value, ...}, ...]} or {"columns": {"column": [values], ...}}',
  });
}
