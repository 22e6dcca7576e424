// The checked reader of a stored reference profile: every field a drift check relies on is
// verified (types, lengths, increasing edges, counts that add up to the rows), so a malformed one
// is a REGISTRY_INTEGRITY error naming the file and the field, never a wrong drift verdict later.

import { SomaError } from '../errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../util/json.js';
import { REFERENCE_FORMAT_VERSION, type ColumnReference, type OutputReference, type ReferenceProfile } from './reference.js';

/** `value` (the `reference` field of `file`) as a ReferenceProfile, or REGISTRY_INTEGRITY naming the bad field. */
export function checkReference(value: unknown, file: string): ReferenceProfile {
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new SomaError('REGISTRY_INTEGRITY', `${file}: ${field}: expected ${expected}, got ${shown(got)}`, {
      hint: 'the version still predicts; retrain it to store a reference profile this soma can read',
      details: { file, field },
    });
  };
  const ref = object(value, 'reference', fail);
  const version = whole(ref['formatVersion'], 'reference.formatVersion', fail);
  if (version < 1 || version > REFERENCE_FORMAT_VERSION) {
    fail('reference.formatVersion', `a format this soma reads (1${REFERENCE_FORMAT_VERSION > 1 ? ` to ${REFERENCE_FORMAT_VERSION}` : ''})`, version);
  }
  whole(ref['maxBins'], 'reference.maxBins', fail);
  whole(ref['maxCategories'], 'reference.maxCategories', fail);
  whole(ref['rows'], 'reference.rows', fail);
  array(ref['columns'], 'reference.columns', fail).forEach((c, i) => entry(c, `reference.columns[${i}]`, fail));
  if (ref['target'] !== undefined) entry(ref['target'], 'reference.target', fail);
  const outputs = object(ref['outputs'], 'reference.outputs', fail);
  for (const split of ['train', 'validation', 'test'] as const) {
    if (split !== 'train' && outputs[split] === undefined) continue;
    output(outputs[split], `reference.outputs.${split}`, fail);
  }
  return ref as unknown as ReferenceProfile;
}

type Fail = (field: string, expected: string, got: unknown) => never;

function output(v: JsonValue | undefined, field: string, fail: Fail): OutputReference {
  const o = object(v, field, fail);
  const rows = whole(o['rows'], `${field}.rows`, fail);
  array(o['columns'], `${field}.columns`, fail).forEach((c, i) => {
    const e = entry(c, `${field}.columns[${i}]`, fail);
    if (e.rows !== rows) fail(`${field}.columns[${i}].rows`, `${rows} (the split's rows)`, e.rows);
  });
  return o as unknown as OutputReference;
}

function entry(v: JsonValue | undefined, field: string, fail: Fail): ColumnReference {
  const e = object(v, field, fail);
  if (typeof e['name'] !== 'string') fail(`${field}.name`, 'a string', e['name']);
  const type = e['type'];
  const rows = whole(e['rows'], `${field}.rows`, fail);
  const missing = whole(e['missing'], `${field}.missing`, fail);
  let counted: number;
  switch (type) {
    case 'numeric':
    case 'datetime':
      counted = histogram(e, field, fail);
      break;
    case 'text':
      counted = histogram(object(e['length'], `${field}.length`, fail), `${field}.length`, fail);
      break;
    case 'categorical': {
      const categories = array(e['categories'], `${field}.categories`, fail);
      const seen = new Set<string>();
      categories.forEach((c, i) => {
        if (typeof c !== 'string' || seen.has(c)) fail(`${field}.categories[${i}]`, 'a string not listed before', c);
        seen.add(c as string);
      });
      counted = counts(e['counts'], categories.length, `${field}.counts`, fail) + whole(e['other'], `${field}.other`, fail);
      whole(e['otherCategories'], `${field}.otherCategories`, fail);
      break;
    }
    default:
      return fail(`${field}.type`, 'numeric, datetime, categorical or text', type);
  }
  if (counted + missing !== rows) fail(`${field}.counts`, `counts adding up to rows - missing = ${rows - missing}`, counted);
  return e as unknown as ColumnReference;
}

/** Checks edges, counts and the summary of a histogram; returns the rows it counts. */
function histogram(h: JsonObject, field: string, fail: Fail): number {
  const edges = array(h['edges'], `${field}.edges`, fail);
  edges.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) fail(`${field}.edges[${i}]`, 'a finite number', x);
    if (i > 0 && !((edges[i - 1] as number) < (x as number))) fail(`${field}.edges[${i}]`, `a number above edges[${i - 1}] = ${shown(edges[i - 1])}`, x);
  });
  for (const k of ['min', 'max', 'mean', 'std']) {
    const x = h[k];
    if (x !== null && (typeof x !== 'number' || !Number.isFinite(x))) fail(`${field}.${k}`, 'a finite number or null', x);
  }
  const rows = counts(h['counts'], edges.length + 1, `${field}.counts`, fail);
  if (h['offsets'] !== undefined) {
    const offsets = array(h['offsets'], `${field}.offsets`, fail);
    if (offsets.length !== edges.length + 1) fail(`${field}.offsets`, `${edges.length + 1} numbers`, `${offsets.length} of them`);
    offsets.forEach((x, i) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) fail(`${field}.offsets[${i}]`, 'a finite number', x);
    });
  }
  return rows;
}

function counts(v: JsonValue | undefined, n: number, field: string, fail: Fail): number {
  const a = array(v, field, fail);
  if (a.length !== n) fail(field, `${n} counts`, `${a.length} of them`);
  let sum = 0;
  a.forEach((x, i) => (sum += whole(x, `${field}[${i}]`, fail)));
  return sum;
}

function object(v: JsonValue | unknown, field: string, fail: Fail): JsonObject {
  return isJsonObject(v) ? v : fail(field, 'an object', v);
}

function array(v: JsonValue | undefined, field: string, fail: Fail): JsonValue[] {
  return Array.isArray(v) ? v : fail(field, 'an array', v);
}

function whole(v: JsonValue | undefined, field: string, fail: Fail): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fail(field, 'a whole number >= 0', v);
}

function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return v;
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
