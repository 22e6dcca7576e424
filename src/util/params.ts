// Params resolved from their JSON Schema, the one place that says what a param accepts and what it
// defaults to: estimators and preprocessing steps fill defaults from each property's `default` and
// check values against its type, enum, bounds, list and anyOf alternatives. The config schema
// (ajv) validates YAML configs against the same schemas; this resolver covers what ajv never sees:
// params built in code, set by a search, or read back from a saved model.
//
// Only the wording of the errors differs by owner (users and scripts know these messages), so an
// owner passes a ParamWording; the checks and the defaults are the same for all.

import { SomaError, type SomaErrorCode } from '../errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';

/** How an owner of params (a model family, a preprocessing step) words their errors. */
export interface ParamWording {
  readonly code: SomaErrorCode;
  /** How accepted values are described: quoted enum values and `and` between bounds (models), or bare (steps). */
  readonly style: 'model' | 'step';
  /** Null given for a param means its default (as omitting it does) instead of a value to check. */
  readonly nullIsDefault?: boolean;
  /** The message for a key the schema does not list; absent = such keys are left alone (the config schema rejects them). */
  unknown?(key: string, known: readonly string[]): string;
  invalid(key: string, value: JsonValue | undefined, expected: string): string;
  details?(key: string, value: JsonValue | undefined): Record<string, unknown>;
}

/** The wording of the model families: `gbdt: parameter max_depth = 2.5 is invalid: expected ...`. */
export function modelWording(kind: string): ParamWording {
  return {
    code: 'PARAM_INVALID',
    style: 'model',
    unknown: (key, known) => `${kind}: unknown parameter "${key}" (expected one of ${known.join(', ')})`,
    invalid: (key, value, expected) => `${kind}: parameter ${key} = ${JSON.stringify(value)} is invalid: expected ${expected}`,
    details: (key, value) => ({ param: key, value: value ?? null }),
  };
}

/** The properties of an object schema (its params), by name. */
export function schemaProperties(schema: JsonObject): Record<string, JsonObject> {
  const props = schema['properties'];
  if (!isJsonObject(props)) return {};
  const out: Record<string, JsonObject> = {};
  for (const [k, v] of Object.entries(props)) if (isJsonObject(v)) out[k] = v;
  return out;
}

/**
 * Checks `params` against an object schema and fills defaults: every listed property comes back,
 * given or defaulted (properties with no default that are not given stay absent). Unknown keys
 * fail when the wording has an `unknown` message; otherwise they are passed through unchecked.
 */
export function resolveParams(schema: JsonObject, params: JsonObject, wording: ParamWording): JsonObject {
  const props = schemaProperties(schema);
  const out: JsonObject = {};
  for (const key of Object.keys(params)) {
    if (key in props) continue;
    if (wording.unknown) throw new SomaError(wording.code, wording.unknown(key, Object.keys(props)));
    out[key] = params[key]!;
  }
  for (const [key, prop] of Object.entries(props)) {
    const v = paramValue(prop, params, key, wording);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** One param: the given value (checked) or the schema's default; undefined when neither exists. */
export function paramValue(prop: JsonObject, params: JsonObject, key: string, wording: ParamWording): JsonValue | undefined {
  const given = params[key];
  const v = given === undefined || (given === null && wording.nullIsDefault) ? prop['default'] : given;
  if (v === undefined) return undefined;
  if (!fitsSchema(v, prop)) {
    throw new SomaError(wording.code, wording.invalid(key, given ?? v, describeSchema(prop, wording.style)), wording.details ? { details: wording.details(key, given ?? v) } : {});
  }
  return v;
}

/** Whether a value fits a flat schema: type (or types), enum, bounds, list items and anyOf alternatives. */
export function fitsSchema(v: JsonValue, s: JsonObject): boolean {
  if (Array.isArray(s['anyOf'])) return s['anyOf'].some((alt) => isJsonObject(alt) && fitsSchema(v, alt));
  const type = s['type'];
  if (type !== undefined && !(Array.isArray(type) ? type : [type]).some((t) => fitsType(v, t))) return false;
  if (Array.isArray(s['enum']) && !s['enum'].includes(v)) return false;
  if (typeof v === 'number') {
    const { minimum: min, maximum: max, exclusiveMinimum: xmin, exclusiveMaximum: xmax } = s;
    if (typeof min === 'number' && v < min) return false;
    if (typeof max === 'number' && v > max) return false;
    if (typeof xmin === 'number' && v <= xmin) return false;
    if (typeof xmax === 'number' && v >= xmax) return false;
  }
  if (Array.isArray(v)) {
    if (typeof s['minItems'] === 'number' && v.length < s['minItems']) return false;
    // Items that are objects (an mlp's layers) are the owner's to check: it names the bad field.
    const items = s['items'];
    if (isJsonObject(items) && !isJsonObject(items['properties']) && !v.every((x) => fitsSchema(x, items))) return false;
  }
  return true;
}

function fitsType(v: JsonValue, t: JsonValue): boolean {
  switch (t) {
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'null':
      return v === null;
    case 'array':
      return Array.isArray(v);
    case 'object':
      return isJsonObject(v);
    default:
      return true;
  }
}

/**
 * What a flat schema accepts, in words. Model style: `one of "sqrt", "log2"`, `a number > 0 and
 * <= 1`, alternatives joined by `, or `. Step style: `one of sqrt, log2`, `an integer >= 2 <= 1000`,
 * `a non-empty list of integers >= 1`.
 */
export function describeSchema(s: JsonObject, style: 'model' | 'step'): string {
  if (Array.isArray(s['anyOf'])) return s['anyOf'].filter(isJsonObject).map((alt) => describeSchema(alt, style)).join(', or ');
  if (Array.isArray(s['enum'])) return `one of ${enumValues(s['enum'], style)}`;
  const type = Array.isArray(s['type']) ? s['type'][0] : s['type'];
  if (type === 'integer' || type === 'number') return `${type === 'integer' ? 'an integer' : 'a number'}${bounds(s, style)}`;
  if (type === 'boolean') return 'true or false';
  if (type === 'null') return 'null';
  if (type === 'array') {
    const list = typeof s['minItems'] === 'number' && s['minItems'] > 0 ? 'a non-empty list' : 'a list';
    const items = s['items'];
    return isJsonObject(items) && !isJsonObject(items['properties']) ? `${list} of ${describeItems(items, style)}` : list;
  }
  if (type === 'string') return 'a string';
  if (type === 'object') return 'an object';
  return `a ${String(type)}`;
}

function describeItems(s: JsonObject, style: 'model' | 'step'): string {
  if (Array.isArray(s['enum'])) return enumValues(s['enum'], style);
  if (s['type'] === 'integer' || s['type'] === 'number') return `${s['type']}s${bounds(s, style)}`;
  return `${String(s['type'])}s`;
}

function enumValues(values: readonly JsonValue[], style: 'model' | 'step'): string {
  return values.map((e) => (style === 'model' || typeof e !== 'string' ? JSON.stringify(e) : e)).join(', ');
}

function bounds(s: JsonObject, style: 'model' | 'step'): string {
  const out: string[] = [];
  if (typeof s['exclusiveMinimum'] === 'number') out.push(`> ${s['exclusiveMinimum']}`);
  if (typeof s['minimum'] === 'number') out.push(`>= ${s['minimum']}`);
  if (typeof s['maximum'] === 'number') out.push(`<= ${s['maximum']}`);
  if (typeof s['exclusiveMaximum'] === 'number') out.push(`< ${s['exclusiveMaximum']}`);
  return out.length > 0 ? ` ${out.join(style === 'model' ? ' and ' : ' ')}` : '';
}
