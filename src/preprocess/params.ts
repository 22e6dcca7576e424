// Reading a step's params against its schema (util/params.ts): the default and the accepted values
// of each param come from the step's paramsSchema, written once there. The config schema has
// already validated params that come from a YAML file, but steps are also built from code, from a
// search's trial params and from saved JSON, so each read checks its value and reports the step,
// the parameter, what it got and what it accepts. A null param means its default.

import { SomaError } from '../errors.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import { describeSchema, fitsSchema, paramValue, schemaProperties, type ParamWording } from '../util/params.js';

/** What the readers need of a step: its name (for messages) and its params schema. */
export interface StepSchema {
  readonly name: string;
  readonly paramsSchema: JsonObject;
}

/** The steps' wording: `preprocess scale: method "l2" is not valid (expected one of standard, minmax, robust)`. */
function stepWording(step: string): ParamWording {
  return {
    code: 'CONFIG_INVALID',
    style: 'step',
    nullIsDefault: true,
    invalid: (key, value, expected) => `preprocess ${step}: ${key} ${JSON.stringify(value)} is not valid (expected ${expected})`,
    details: (key, value) => ({ step, param: key, value: value ?? null }),
  };
}

function bad(step: string, key: string, got: JsonValue | undefined, expected: string): SomaError {
  const w = stepWording(step);
  return new SomaError(w.code, w.invalid(key, got, expected), { details: w.details!(key, got) });
}

function prop(spec: StepSchema, key: string): JsonObject {
  const p = schemaProperties(spec.paramsSchema)[key];
  // A step reading a param its own schema does not declare is a bug in soma, not in the config.
  if (!p) throw new Error(`preprocess ${spec.name}: param ${key} is not in the step's schema`);
  return p;
}

function value(params: JsonObject, spec: StepSchema, key: string): JsonValue | undefined {
  return paramValue(prop(spec, key), params, key, stepWording(spec.name));
}

export function enumParam<T extends string>(params: JsonObject, spec: StepSchema, key: string): T {
  return value(params, spec, key) as T;
}

export function numberParam(params: JsonObject, spec: StepSchema, key: string): number {
  return value(params, spec, key) as number;
}

/** A number param whose schema has no default (the step derives it from other params when absent). */
export function optionalNumberParam(params: JsonObject, spec: StepSchema, key: string): number | undefined {
  return value(params, spec, key) as number | undefined;
}

export function boolParam(params: JsonObject, spec: StepSchema, key: string): boolean {
  return value(params, spec, key) as boolean;
}

export function stringParam(params: JsonObject, spec: StepSchema, key: string): string {
  return value(params, spec, key) as string;
}

/** A list param; one item alone counts as a list of it (`lags: 3`, as a search may set it). Repeats are dropped. */
function listParam<T extends JsonValue>(params: JsonObject, spec: StepSchema, key: string): T[] {
  const p = prop(spec, key);
  const given = params[key];
  const v = given === undefined || given === null ? p['default'] : given;
  const list = Array.isArray(v) || v === undefined ? v : [v];
  if (list === undefined || !fitsSchema(list, p)) throw bad(spec.name, key, given ?? v, describeSchema(p, 'step'));
  return [...new Set(list as T[])];
}

export function intListParam(params: JsonObject, spec: StepSchema, key: string): number[] {
  return listParam<number>(params, spec, key);
}

export function enumListParam<T extends string>(params: JsonObject, spec: StepSchema, key: string): T[] {
  return listParam<T>(params, spec, key);
}

/** A column name or list of names (group keys); none when absent. */
export function namesParam(params: JsonObject, step: string, key: string): string[] {
  const v = params[key];
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw bad(step, key, v, 'a column name or a list of names');
}

export function requiredName(params: JsonObject, step: string, key: string): string {
  const v = params[key];
  if (typeof v === 'string' && v.length > 0) return v;
  throw bad(step, key, v, 'a column name');
}

/** Reads the learned state saved by `toJSON`, failing clearly on a corrupt or foreign file. */
export function stateOf<T>(json: { step: string; state: JsonValue }, key: string): T {
  const s = json.state;
  if (typeof s !== 'object' || s === null || Array.isArray(s) || !(key in s)) {
    throw new SomaError('REGISTRY_INTEGRITY', `preprocess.json: step ${json.step} lacks its learned "${key}"`);
  }
  return (s as Record<string, JsonValue>)[key] as unknown as T;
}
