// Reading a step's params: the config schema has already validated them when they come from a
// YAML file, but steps are also built from code and from saved JSON, so each read checks its
// value and reports the step, the parameter, what it got and what it accepts.

import { SomaError } from '../errors.js';
import type { JsonObject, JsonValue } from '../util/json.js';

function bad(step: string, key: string, got: JsonValue | undefined, expected: string): SomaError {
  return new SomaError('CONFIG_INVALID', `preprocess ${step}: ${key} ${JSON.stringify(got)} is not valid (expected ${expected})`, {
    details: { step, param: key, value: got ?? null },
  });
}

export function enumParam<T extends string>(params: JsonObject, step: string, key: string, allowed: readonly T[], fallback: T): T {
  const v = params[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  throw bad(step, key, v, `one of ${allowed.join(', ')}`);
}

export function numberParam(params: JsonObject, step: string, key: string, fallback: number, range: { min?: number; max?: number; exclusiveMin?: number; integer?: boolean } = {}): number {
  const v = params[key];
  if (v === undefined || v === null) return fallback;
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (!range.integer || Number.isInteger(v)) &&
    (range.min === undefined || v >= range.min) &&
    (range.max === undefined || v <= range.max) &&
    (range.exclusiveMin === undefined || v > range.exclusiveMin);
  if (!ok) {
    const parts = [range.integer ? 'an integer' : 'a number'];
    if (range.min !== undefined) parts.push(`>= ${range.min}`);
    if (range.exclusiveMin !== undefined) parts.push(`> ${range.exclusiveMin}`);
    if (range.max !== undefined) parts.push(`<= ${range.max}`);
    throw bad(step, key, v, parts.join(' '));
  }
  return v;
}

export function boolParam(params: JsonObject, step: string, key: string, fallback: boolean): boolean {
  const v = params[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v;
  throw bad(step, key, v, 'true or false');
}

export function intListParam(params: JsonObject, step: string, key: string, fallback: number[], min = 1): number[] {
  const v = params[key];
  if (v === undefined || v === null) return fallback;
  const list = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= min)) {
    throw bad(step, key, v, `a non-empty list of integers >= ${min}`);
  }
  return [...new Set(list as number[])];
}

export function enumListParam<T extends string>(params: JsonObject, step: string, key: string, allowed: readonly T[], fallback: readonly T[]): T[] {
  const v = params[key];
  if (v === undefined || v === null) return [...fallback];
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === 'string' && (allowed as readonly string[]).includes(x))) {
    throw bad(step, key, v, `a non-empty list of ${allowed.join(', ')}`);
  }
  return [...new Set(list as T[])];
}

/** A column name or list of names (group keys). */
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
