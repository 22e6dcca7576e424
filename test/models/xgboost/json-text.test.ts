// Reading and writing the number spellings of XGBoost's JSON models.

import { describe, expect, it } from 'vitest';
import { parseXgbJson, xgbStringify } from '../../../src/models/xgboost/json-text.js';

describe('XGBoost JSON text', () => {
  it('when a model holds NaN or Infinity outside strings, then they read as null and strings are untouched', () => {
    const text = '{"split_conditions":[NaN,0.5,-Infinity,Infinity],"feature_names":["NaN [x, NaN]","a\\"NaN"],"n":-1}';
    expect(parseXgbJson(text)).toEqual({ split_conditions: [null, 0.5, null, null], feature_names: ['NaN [x, NaN]', 'a"NaN'], n: -1 });
  });

  it('when floats are written, then whole ones keep a fraction and integers stay integers', () => {
    expect(xgbStringify({ a: Float64Array.of(0, 1.5, -2), b: [0, 1], c: 'x' })).toBe('{"a":[0.0,1.5,-2.0],"b":[0,1],"c":"x"}');
  });
});
