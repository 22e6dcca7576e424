// Tiny frame builders and a save/load round trip shared by the preprocessing tests.

import { expect } from 'vitest';
import { Frame, numericValues, type Column } from '../../src/data/frame.js';
import type { Target } from '../../src/tasks/task.js';
import { SomaError } from '../../src/errors.js';
import { stepFromJSON } from '../../src/preprocess/catalog.js';
import type { Transformer } from '../../src/preprocess/transformer.js';

export const num = (name: string, values: number[]): Column => ({ type: 'numeric', name, values: Float64Array.from(values) });
export const cat = (name: string, dictionary: string[], codes: number[]): Column => ({ type: 'categorical', name, dictionary, codes: Int32Array.from(codes) });
export const text = (name: string, values: (string | null)[]): Column => ({ type: 'text', name, values });
export const dt = (name: string, iso: (string | null)[]): Column => ({ type: 'datetime', name, values: Float64Array.from(iso.map((s) => (s === null ? NaN : Date.parse(s)))) });
/** A categorical column from its string values (null = missing). */
export const cats = (name: string, vals: (string | null)[]): Column => {
  const dictionary = [...new Set(vals.filter((v): v is string => v !== null))];
  return cat(name, dictionary, vals.map((v) => (v === null ? -1 : dictionary.indexOf(v))));
};

export const regression = (values: number[]): Target => ({ task: 'regression', values: Float64Array.from(values), nClasses: 0 });
export const classes = (values: number[], nClasses: number): Target => ({ task: 'classification', values: Float64Array.from(values), nClasses });

/** Numeric values of a column, NaN shown as null so toEqual compares them. */
export function values(f: Frame, name: string): (number | null)[] {
  const c = f.column(name);
  if (!c) throw new Error(`no column ${name} (columns: ${f.names.join(', ')})`);
  if (c.type !== 'numeric') throw new Error(`${name} is ${c.type}`);
  return Array.from(numericValues(c), (v) => (Number.isNaN(v) ? null : v));
}

export function roundTrip(t: Transformer): Transformer {
  return stepFromJSON(JSON.parse(JSON.stringify(t.toJSON())));
}

/** The saved-and-loaded step transforms `frame` exactly as the fitted one does. */
export function expectSameTransform(t: Transformer, frame: Frame): void {
  const a = t.transform(frame);
  const b = roundTrip(t).transform(frame);
  expect(b.names).toEqual(a.names);
  for (const c of a.columns) {
    const d = b.column(c.name)!;
    if (c.type === 'numeric' && d.type === 'numeric') expect(Array.from(numericValues(d))).toEqual(Array.from(numericValues(c)));
    else expect(d.type).toBe(c.type);
  }
}

/** Runs `fn` and returns the SomaError it throws (failing when it throws nothing or something else). */
export function somaError(fn: () => unknown): SomaError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SomaError);
    return e as SomaError;
  }
  throw new Error('expected a SomaError, nothing was thrown');
}

export function close(actual: (number | null)[], expected: number[], digits = 9): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    if (Number.isNaN(expected[i]!)) expect(a).toBeNull();
    else expect(a).toBeCloseTo(expected[i]!, digits);
  });
}
