import { describe, expect, it } from 'vitest';
import { SomaError } from '../../src/errors.js';
import type { JsonObject } from '../../src/util/json.js';
import { describeSchema, fitsSchema, modelWording, resolveParams, type ParamWording } from '../../src/util/params.js';

const schema: JsonObject = {
  type: 'object',
  properties: {
    depth: { type: 'integer', minimum: 0, maximum: 64, default: 6 },
    rate: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.3 },
    policy: { type: 'string', enum: ['depthwise', 'lossguide'], default: 'depthwise' },
    share: { anyOf: [{ type: 'string', enum: ['sqrt', 'all'] }, { type: 'number', exclusiveMinimum: 0, maximum: 1 }], default: 'sqrt' },
    lags: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1, default: [1] },
    seed: { type: 'integer' },
  },
};

function thrown(f: () => unknown): SomaError {
  try {
    f();
  } catch (e) {
    if (e instanceof SomaError) return e;
    throw e;
  }
  throw new Error('expected a SomaError');
}

describe('resolveParams', () => {
  it('when params are omitted, then every default comes from the schema and params without one stay absent', () => {
    expect(resolveParams(schema, {}, modelWording('m'))).toEqual({ depth: 6, rate: 0.3, policy: 'depthwise', share: 'sqrt', lags: [1] });
    expect(resolveParams(schema, { depth: 3, seed: 9 }, modelWording('m'))).toMatchObject({ depth: 3, seed: 9, rate: 0.3 });
  });

  it('when a value breaks its type, bound, enum or every alternative, then the model wording names the param, the value and what is accepted', () => {
    const w = modelWording('gbdt');
    expect(thrown(() => resolveParams(schema, { depth: 2.5 }, w)).message).toBe('gbdt: parameter depth = 2.5 is invalid: expected an integer >= 0 and <= 64');
    expect(thrown(() => resolveParams(schema, { rate: 0 }, w)).message).toBe('gbdt: parameter rate = 0 is invalid: expected a number > 0 and <= 1');
    expect(thrown(() => resolveParams(schema, { policy: 'wide' }, w)).message).toBe('gbdt: parameter policy = "wide" is invalid: expected one of "depthwise", "lossguide"');
    expect(thrown(() => resolveParams(schema, { share: 2 }, w)).message).toBe('gbdt: parameter share = 2 is invalid: expected one of "sqrt", "all", or a number > 0 and <= 1');
    expect(thrown(() => resolveParams(schema, { lags: [0] }, w)).message).toBe('gbdt: parameter lags = [0] is invalid: expected a non-empty list of integers >= 1');
    const e = thrown(() => resolveParams(schema, { depth: -1 }, w));
    expect(e.code).toBe('PARAM_INVALID');
    expect(e.details).toEqual({ param: 'depth', value: -1 });
  });

  it('when a key is not in the schema, then a wording with an unknown message rejects it and one without passes it through', () => {
    expect(thrown(() => resolveParams(schema, { n_trees: 5 }, modelWording('gbdt'))).message).toMatch(/^gbdt: unknown parameter "n_trees" \(expected one of depth, rate, policy, share, lags, seed\)$/);
    const lenient: ParamWording = { code: 'CONFIG_INVALID', style: 'step', nullIsDefault: true, invalid: (k, v, x) => `${k} ${JSON.stringify(v)} (expected ${x})` };
    expect(resolveParams(schema, { extra: 'x', depth: null }, lenient)).toMatchObject({ extra: 'x', depth: 6 });
    expect(thrown(() => resolveParams(schema, { depth: null }, modelWording('m'))).message).toMatch(/depth = null is invalid/);
  });

  it('when accepted values are described in the step style, then enum values are bare and bounds are not joined by and', () => {
    expect(describeSchema({ type: 'string', enum: ['a', 'b'] }, 'step')).toBe('one of a, b');
    expect(describeSchema({ type: 'integer', minimum: 2, maximum: 1000 }, 'step')).toBe('an integer >= 2 <= 1000');
    expect(describeSchema({ type: 'array', items: { type: 'string', enum: ['year', 'month'] }, minItems: 1 }, 'step')).toBe('a non-empty list of year, month');
  });

  it('when values are checked, then non-finite numbers, exclusive maxima and short lists fail', () => {
    expect(fitsSchema(NaN, { type: 'number' })).toBe(false);
    expect(fitsSchema(Infinity, { type: 'number' })).toBe(false);
    expect(fitsSchema(1, { type: 'number', exclusiveMaximum: 1 })).toBe(false);
    expect(fitsSchema([], { type: 'array', minItems: 1 })).toBe(false);
    expect(fitsSchema(null, { type: ['number', 'null'] })).toBe(true);
  });
});
