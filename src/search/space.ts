// The search space: the `space:` grammar of a config parsed into dimensions, and the mapping
// between a dimension's values and the unit interval the samplers work in.
//
// Grammar (each key names a param: `x` or `model.params.x` for a model param,
// `preprocess.<index or step name>.<param>` for a preprocessing param):
//   {uniform: [a, b]}  float          {loguniform: [a, b]}  float, sampled on a log scale
//   {int: [a, b]}      integer        {int: [a, b], log: true}
//   {choice: [...]}    categorical    [v1, v2, ...]  a plain list: the values a grid takes
//   <family>: {...}    params that only exist when `model.type` is that family (conditional)
// When `model.type` is a list, the family itself is the categorical dimension `model.type`.

import { SomaError } from '../errors.js';
import type { Rng } from '../engine/random.js';
import type { JsonObject, JsonValue } from '../util/json.js';

export type ParamValue = number | string | boolean | null;
/** A trial's params, keyed by the space's names (`model.type` first when families compete). */
export type Params = Record<string, ParamValue>;

/** A dimension is active only when the param `on` takes one of `values` (conditional params). */
export interface Condition {
  on: string;
  values: ParamValue[];
}

interface DimBase {
  name: string;
  condition?: Condition;
}
export interface FloatDim extends DimBase {
  kind: 'float';
  low: number;
  high: number;
  log: boolean;
}
export interface IntDim extends DimBase {
  kind: 'int';
  low: number;
  high: number;
  log: boolean;
}
export interface CategoricalDim extends DimBase {
  kind: 'categorical';
  choices: ParamValue[];
}
export type Dimension = FloatDim | IntDim | CategoricalDim;

export interface SearchSpace {
  /** Condition params always come before the params they guard. */
  dims: Dimension[];
}

export const FAMILY_PARAM = 'model.type';

const fail = (key: string, message: string, expected?: string): never => {
  throw new SomaError('CONFIG_INVALID', `search.space.${key}: ${message}${expected ? ` (expected ${expected})` : ''}`);
};

const GRAMMAR = '{uniform: [a, b]}, {loguniform: [a, b]}, {int: [a, b]}, {choice: [...]} or a list of values';

/**
 * Parses a config's `space`. `families` is the list of model families when `model.type` is a
 * list (it becomes the first dimension); keys equal to a name in `familyNames` hold that family's
 * conditional params.
 */
export function parseSpace(space: JsonObject, families: readonly string[], familyNames: ReadonlySet<string>): SearchSpace {
  const dims: Dimension[] = [];
  if (families.length > 1) dims.push({ kind: 'categorical', name: FAMILY_PARAM, choices: [...families] });
  const seen = new Set<string>();
  const add = (d: Dimension): void => {
    const id = `${d.condition ? `${String(d.condition.values[0])}/` : ''}${d.name}`;
    if (seen.has(id)) fail(d.name, 'given twice');
    seen.add(id);
    dims.push(d);
  };
  for (const [key, value] of Object.entries(space)) {
    if (familyNames.has(key) && isObject(value) && !isSpec(value)) {
      if (families.length > 0 && !families.includes(key)) {
        fail(key, `conditional params for "${key}", which is not among model.type`, `one of ${families.join(', ')}`);
      }
      for (const [inner, spec] of Object.entries(value)) {
        add({ ...parseDimension(`${key}.${inner}`, spec), name: inner, condition: { on: FAMILY_PARAM, values: [key] } });
      }
    } else {
      add(parseDimension(key, value));
    }
  }
  // Conditional dims only make sense when the family varies; with one family they are plain dims.
  if (families.length <= 1) for (const d of dims) delete d.condition;
  return { dims };
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSpec(v: JsonObject): boolean {
  return ['uniform', 'loguniform', 'int', 'choice'].some((k) => k in v);
}

function parseDimension(key: string, value: JsonValue): Dimension {
  if (Array.isArray(value)) {
    if (value.length === 0) fail(key, 'an empty list', 'at least one value');
    return { kind: 'categorical', name: key, choices: value.map((v) => scalar(key, v)) };
  }
  if (!isObject(value)) fail(key, `got ${JSON.stringify(value)}`, GRAMMAR);
  const spec = value as JsonObject;
  const kinds = Object.keys(spec).filter((k) => k !== 'log');
  if (kinds.length !== 1) fail(key, `got keys ${Object.keys(spec).join(', ')}`, GRAMMAR);
  const kind = kinds[0]!;
  const arg = spec[kind];
  if (kind === 'choice') {
    if (!Array.isArray(arg) || arg.length === 0) fail(key, `choice: got ${JSON.stringify(arg)}`, 'a non-empty list');
    return { kind: 'categorical', name: key, choices: (arg as JsonValue[]).map((v) => scalar(key, v)) };
  }
  if (kind !== 'uniform' && kind !== 'loguniform' && kind !== 'int') fail(key, `unknown distribution "${kind}"`, GRAMMAR);
  if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'number' || typeof arg[1] !== 'number') {
    fail(key, `${kind}: got ${JSON.stringify(arg)}`, 'two numbers [low, high]');
  }
  const [low, high] = arg as [number, number];
  if (!(low < high)) fail(key, `${kind}: low ${low} is not below high ${high}`);
  const log = kind === 'loguniform' || spec['log'] === true;
  if (log && low <= 0) fail(key, `${kind}: a log scale needs low > 0 (got ${low})`);
  if (kind === 'int') {
    if (!Number.isInteger(low) || !Number.isInteger(high)) fail(key, `int: got [${low}, ${high}]`, 'integer bounds');
    return { kind: 'int', name: key, low, high, log };
  }
  return { kind: 'float', name: key, low, high, log };
}

function scalar(key: string, v: JsonValue): ParamValue {
  if (v !== null && typeof v === 'object') fail(key, `the value ${JSON.stringify(v)} is not a scalar`, 'numbers, strings, booleans or null');
  return v as ParamValue;
}

/** Whether a dimension takes part given the values chosen so far. */
export function isActive(d: Dimension, params: Params): boolean {
  return !d.condition || d.condition.values.includes(params[d.condition.on] ?? null);
}

/** Maps a unit-interval coordinate to the dimension's value (categorical: index by equal bins). */
export function fromUnit(d: Dimension, u: number): ParamValue {
  const t = Math.min(1, Math.max(0, u));
  switch (d.kind) {
    case 'float': {
      // exp(log(x)) is off by an ulp or so: the ends map to the bounds exactly, and the clamp
      // keeps everything between inside them.
      if (t === 0) return d.low;
      if (t === 1) return d.high;
      const v = d.log ? Math.exp(Math.log(d.low) + t * (Math.log(d.high) - Math.log(d.low))) : d.low + t * (d.high - d.low);
      return Math.min(d.high, Math.max(d.low, v));
    }
    case 'int': {
      // Each integer owns an equal share of the interval (on the log scale when log is set).
      const lo = d.log ? Math.log(d.low - 0.5 > 0 ? d.low - 0.5 : d.low * 0.5) : d.low - 0.5;
      const hi = d.log ? Math.log(d.high + 0.5) : d.high + 0.5;
      const x = lo + t * (hi - lo);
      return Math.min(d.high, Math.max(d.low, Math.round(d.log ? Math.exp(x) : x)));
    }
    case 'categorical':
      return d.choices[Math.min(d.choices.length - 1, Math.floor(t * d.choices.length))]!;
  }
}

/** The unit-interval coordinate of a value (the centre of its share for ints and categories). */
export function toUnit(d: Dimension, v: ParamValue): number {
  switch (d.kind) {
    case 'float': {
      const x = Number(v);
      return d.log ? (Math.log(x) - Math.log(d.low)) / (Math.log(d.high) - Math.log(d.low)) : (x - d.low) / (d.high - d.low);
    }
    case 'int': {
      const lo = d.log ? Math.log(d.low - 0.5 > 0 ? d.low - 0.5 : d.low * 0.5) : d.low - 0.5;
      const hi = d.log ? Math.log(d.high + 0.5) : d.high + 0.5;
      const x = d.log ? Math.log(Number(v)) : Number(v);
      return (x - lo) / (hi - lo);
    }
    case 'categorical': {
      const i = d.choices.findIndex((c) => c === v);
      return (Math.max(0, i) + 0.5) / d.choices.length;
    }
  }
}

/** One uniformly random point of the space (log dims uniform on the log scale). */
export function samplePoint(space: SearchSpace, rng: Rng): Params {
  const p: Params = {};
  for (const d of space.dims) if (isActive(d, p)) p[d.name] = fromUnit(d, rng.next());
  return p;
}

/** A stable text key of a point, to spot repeats. */
export function pointKey(p: Params): string {
  return JSON.stringify(Object.keys(p).sort().map((k) => [k, p[k]]));
}
