// MLflow's scoring protocol, as `mlflow models serve` speaks it: `POST /invocations` (or
// `/models/{name}/invocations`) with Content-Type application/json holding exactly one of
//   {"dataframe_split": {"columns": [...], "data": [[...], ...]}}    {"dataframe_records": [{...}, ...]}
//   {"instances": [{...}, ...] or [[...], ...]}                      {"inputs": {column: [...]} or [[...], ...]}
// (lists of lists without column names are rows of the model's inputs in contract order), or a
// text/csv body with a header line; answered {"predictions": [{column: value}, ...]}, one object
// per row with the columns `soma predict` writes. Failures: {"error_code", "message", "code", ...}.

import { CSV_NULL_STRINGS } from '../../data/checks.js';
import { ServeError } from '../errors.js';
import { mediaType, parseJsonBody } from '../http.js';
import { answerRecords } from '../input.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../util/json.js';
import { parseCsvColumns } from './csv.js';
import { describe, problemFields, type ParsedRequest, type Protocol } from './protocol.js';

const FIELDS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

export const mlflowProtocol: Protocol = {
  name: 'mlflow',
  parse(body, req) {
    const { type, charset } = mediaType(req);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      throw new ServeError('HTTP_UNSUPPORTED_MEDIA_TYPE', `the scoring server reads UTF-8 only, got charset=${charset}`);
    }
    if (type === 'text/csv') {
      const { columns } = parseCsvColumns(body.toString('utf8'), 'csv');
      return { rows: { kind: 'columns', columns, source: 'csv', nullStrings: CSV_NULL_STRINGS } };
    }
    if (type !== 'application/json' && type !== '') {
      throw new ServeError('HTTP_UNSUPPORTED_MEDIA_TYPE', `the scoring server takes application/json or text/csv, got ${JSON.stringify(req.headers['content-type'])}`);
    }
    return parseJson(parseJsonBody(body, 'invocations'));
  },
  answer(a) {
    return { predictions: answerRecords(a.columns, a.rows) };
  },
  error(p) {
    const errorCode = p.status === 404 ? 'RESOURCE_DOES_NOT_EXIST' : p.status >= 500 ? (p.status === 503 ? 'TEMPORARILY_UNAVAILABLE' : 'INTERNAL_ERROR') : 'BAD_REQUEST';
    return { error_code: errorCode, message: p.message, ...problemFields(p) };
  },
};

function parseJson(doc: unknown): ParsedRequest {
  if (!isJsonObject(doc)) throw bad(`got ${describe(doc)}`);
  const present = FIELDS.filter((f) => doc[f] !== undefined);
  if (present.length !== 1) throw bad(present.length === 0 ? `it has fields ${JSON.stringify(Object.keys(doc).slice(0, 10))}` : `it has ${present.join(' and ')}`);
  const field = present[0]!;
  const data = doc[field]!;
  switch (field) {
    case 'dataframe_split': {
      if (!isJsonObject(data) || !Array.isArray(data['data'])) throw bad('"dataframe_split" must be {"columns": [...], "data": [[...], ...]} (and optionally "index")', field);
      const columns = data['columns'];
      if (columns !== undefined && !(Array.isArray(columns) && columns.every((c) => typeof c === 'string'))) throw bad('"dataframe_split.columns" must be a list of column names', field);
      return { rows: { kind: 'rows', rows: data['data'], names: (columns as string[] | undefined) ?? null, source: 'dataframe_split' } };
    }
    case 'dataframe_records':
      if (!Array.isArray(data)) throw bad(`"dataframe_records" is ${describe(data)}, expected a list of records`, field);
      return { rows: { kind: 'records', records: data, source: 'dataframe_records' } };
    case 'instances':
    case 'inputs': {
      if (isJsonObject(data)) return { rows: { kind: 'columns', columns: data as JsonObject, source: field } };
      if (!Array.isArray(data)) throw bad(`"${field}" is ${describe(data)}, expected a list of records, a list of rows or an object of columns`, field);
      if (data.length > 0 && Array.isArray(data[0])) return { rows: { kind: 'rows', rows: data as JsonValue[], names: null, source: field } };
      return { rows: { kind: 'records', records: data, source: field } };
    }
  }
}

function bad(why: string, field?: string): ServeError {
  return new ServeError('HTTP_BAD_REQUEST', field ? `invocations: ${why}` : `invocations: the input must be a JSON object with exactly one of ${FIELDS.join(', ')}; ${why}`, {
    hint: 'e.g. {"dataframe_split": {"columns": ["a", "b"], "data": [[1, 2]]}} or {"dataframe_records": [{"a": 1, "b": 2}]}',
  });
}
