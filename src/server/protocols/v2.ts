// The Open Inference Protocol (KServe V2), JSON form: `POST /v2/models/{name}[/versions/{v}]/infer`
// with one tensor per input column,
//   {"id"?: "r1", "inputs": [{"name": "Island", "shape": [2], "datatype": "BYTES", "data": ["Dream", "Biscoe"]},
//                            {"name": "Body Mass (g)", "shape": [2], "datatype": "FP64", "data": [3500, 4200]}],
//    "outputs"?: [{"name": "prediction"}]}
// (shape [n] or [n, 1]), or a single 2-D tensor [n, k] whose columns are the model's inputs in
// contract order; answered with one tensor per output column (the id column, `prediction`,
// `proba_<class>`): {"model_name", "model_version", "id", "outputs": [{"name", "shape", "datatype", "data"}]}.
// Failures: {"error": message, "code", ...}. Metadata (`GET /v2/models/{name}`) lists the inputs
// from features.json and the outputs the task writes.

import { ServeError } from '../errors.js';
import { parseJsonBody, setOwn } from '../http.js';
import type { AnswerColumn } from '../input.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../util/json.js';
import { describe, problemFields, type Protocol } from './protocol.js';

const NUMERIC_TYPES = new Set(['UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64']);
const DATATYPES = [...NUMERIC_TYPES, 'BOOL', 'BYTES'];

export const v2Protocol: Protocol = {
  name: 'v2',
  parse(body) {
    const doc = parseJsonBody(body, 'inference request');
    if (!isJsonObject(doc)) throw bad(`expected an object with "inputs", got ${describe(doc)}`);
    const inputs = doc['inputs'];
    if (!Array.isArray(inputs) || inputs.length === 0) throw bad(`"inputs" is ${describe(inputs)}, expected a non-empty array of tensors {"name", "shape", "datatype", "data"}`);
    const tensors = inputs.map((t, i) => readTensor(t, i));
    const requestId = typeof doc['id'] === 'string' ? doc['id'] : undefined;
    const outputs = readOutputs(doc['outputs']);
    const extra = { ...(outputs ? { outputs } : {}), ...(requestId !== undefined ? { requestId } : {}) };
    // One tensor of rows x k: the model's inputs in contract order (as a KServe tabular model takes them).
    const only = tensors[0]!;
    if (tensors.length === 1 && only.shape.length === 2 && only.shape[1]! > 1) {
      const [n, k] = only.shape as [number, number];
      const rows: JsonValue[] = [];
      for (let i = 0; i < n; i++) rows.push(only.data.slice(i * k, (i + 1) * k));
      return { rows: { kind: 'rows', rows, names: null, source: `inputs "${only.name}"` }, ...extra };
    }
    const columns: JsonObject = {};
    let rows = -1;
    for (const t of tensors) {
      if (t.shape.length > 2 || (t.shape.length === 2 && t.shape[1] !== 1)) {
        throw bad(`input "${t.name}" has shape [${t.shape.join(', ')}]; one tensor per column has shape [rows] or [rows, 1] (or send a single [rows, columns] tensor)`);
      }
      if (Object.hasOwn(columns, t.name)) throw bad(`input "${t.name}" is given twice`);
      if (rows >= 0 && t.shape[0] !== rows) throw bad(`input "${t.name}" has ${t.shape[0]} rows, the first input has ${rows}`);
      rows = t.shape[0]!;
      setOwn(columns, t.name, t.data);
    }
    return { rows: { kind: 'columns', columns, source: 'inputs' }, ...extra };
  },
  answer(a, request) {
    let columns: readonly AnswerColumn[] = a.columns;
    if (request.outputs) {
      const byName = new Map(a.columns.map((c) => [c.name, c]));
      columns = request.outputs.map((name) => {
        const c = byName.get(name);
        if (!c) throw bad(`output "${name}" is not one of this model's outputs (${a.columns.map((x) => x.name).join(', ')})`);
        return c;
      });
    }
    return {
      model_name: a.model,
      model_version: a.version,
      ...(request.requestId !== undefined ? { id: request.requestId } : {}),
      parameters: { soma_id: a.id, arm: a.arm, cached: a.cached },
      outputs: columns.map((c) => ({ name: c.name, shape: [a.rows], datatype: c.kind === 'number' ? 'FP64' : 'BYTES', data: c.values })),
    };
  },
  error(p) {
    return { error: p.message, ...problemFields(p) };
  },
};

interface Tensor {
  name: string;
  shape: number[];
  data: JsonValue[];
}

function readTensor(t: unknown, i: number): Tensor {
  const where = `inputs[${i}]`;
  if (!isJsonObject(t)) throw bad(`${where} is ${describe(t)}, expected a tensor {"name", "shape", "datatype", "data"}`);
  const name = t['name'];
  if (typeof name !== 'string' || name === '') throw bad(`${where}.name is ${describe(name)}, expected the input column's name`);
  const shape = t['shape'];
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
    throw bad(`input "${name}": shape is ${JSON.stringify(shape)?.slice(0, 60) ?? 'absent'}, expected a list of whole numbers such as [3] or [3, 1]`);
  }
  const datatype = t['datatype'];
  if (typeof datatype !== 'string' || !DATATYPES.includes(datatype)) {
    throw bad(`input "${name}": datatype is ${describe(datatype)}, expected one of ${DATATYPES.join(', ')}`);
  }
  if (!Array.isArray(t['data'])) throw bad(`input "${name}": data is ${describe(t['data'])}, expected an array`);
  // Nested data follows the shape (row-major); flatten exactly as many levels as the shape has.
  let data = t['data'] as JsonValue[];
  for (let d = 1; d < shape.length && data.some((x) => Array.isArray(x)); d++) data = data.flat(1);
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (data.length !== size) throw bad(`input "${name}": shape [${shape.join(', ')}] holds ${size} values, data has ${data.length}`);
  for (let j = 0; j < data.length; j++) {
    const v = data[j]!;
    if (v === null) continue;
    if (typeof v === 'object') throw bad(`input "${name}": value ${j + 1} is ${describe(v)}; data must be values, or lists nested as the shape says`, { column: name, row: j + 1 });
    const ok = NUMERIC_TYPES.has(datatype) ? typeof v === 'number' : datatype === 'BOOL' ? typeof v === 'boolean' : typeof v === 'string';
    if (!ok) throw bad(`input "${name}" (${datatype}): value ${j + 1} is ${describe(v)}`, { column: name, row: j + 1, value: v, expected: datatype });
  }
  return { name, shape: shape as number[], data };
}

function readOutputs(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((o) => isJsonObject(o) && typeof o['name'] === 'string')) throw bad(`"outputs" is ${describe(v)}, expected [{"name": OUTPUT}, ...]`);
  return (v as JsonObject[]).map((o) => o['name'] as string);
}

function bad(message: string, details?: Record<string, unknown>): ServeError {
  return new ServeError('HTTP_BAD_REQUEST', `inference request: ${message}`, details ? { details } : {});
}
