import { describe, expect, it } from 'vitest';
import { SomaError } from '../../src/errors.js';
import { readEnvelope, StateReader, withStateFile } from '../../src/util/state-reader.js';

const b64 = (a: Float64Array | Int32Array): string => Buffer.from(a.buffer).toString('base64');

function thrown(f: () => unknown): SomaError {
  try {
    f();
  } catch (e) {
    if (e instanceof SomaError) return e;
    throw e;
  }
  throw new Error('expected a SomaError');
}

describe('StateReader', () => {
  const st = new StateReader('state', {
    coef: b64(Float64Array.of(1, 2, 3)),
    bad: b64(Float64Array.of(1, NaN)),
    trees: [{ threshold: 'abc!' }, { threshold: b64(Float64Array.of(0.5)) }],
    names: ['a', 2],
    k: 2.5,
    solver: 'qr',
  });

  it('when fields are well formed, then they come back typed', () => {
    expect(Array.from(st.field('coef').typed(Float64Array, { length: 3 }))).toEqual([1, 2, 3]);
    expect(st.field('trees').list()[1]!.field('threshold').typed(Float64Array)[0]).toBe(0.5);
    expect(st.field('solver').oneOf(['qr', 'cholesky'])).toBe('qr');
    expect(st.field('missing').absent).toBe(true);
  });

  it('when a field is wrong, then REGISTRY_INTEGRITY names its path, what it holds and what was expected', () => {
    const cases: [() => unknown, string][] = [
      [() => st.field('trees').list()[0]!.field('threshold').typed(Float64Array), 'state.trees[0].threshold is "abc!"; expected base64 Float64Array data'],
      [() => st.field('bad').typed(Float64Array), 'state.bad[1] is NaN; expected a finite number'],
      [() => st.field('coef').typed(Float64Array, { length: 4 }), 'state.coef is 3 values long; expected base64 Float64Array data of 4 values'],
      [() => st.field('names').strings(), 'state.names[1] is 2; expected a string'],
      [() => st.field('k').int({ min: 2 }), 'state.k is 2.5; expected an integer >= 2'],
      [() => st.field('solver').oneOf(['lbfgs']), 'state.solver is "qr"; expected one of lbfgs'],
      [() => st.field('nothing').string(), 'state.nothing is missing; expected a string'],
      [() => st.field('k').field('x'), 'state.k is 2.5; expected an object'],
    ];
    for (const [f, message] of cases) {
      const e = thrown(f);
      expect(e.code).toBe('REGISTRY_INTEGRITY');
      expect(e.exitCode).toBe(6);
      expect(e.message.startsWith(message), e.message).toBe(true);
    }
    // 24 bytes of float64 read as int32 is 6 whole values: a length mismatch, not a byte-count one.
    expect(st.field('coef').typed(Int32Array)).toHaveLength(6);
    expect(thrown(() => new StateReader('s', b64(Int32Array.of(1, 2, 3))).typed(Float64Array)).message).toMatch(/^s is "\S+"; expected base64 Float64Array data \(12 bytes is not a whole number of 8-byte values\)$/);
  });

  it('when the envelope has another kind or format version, then the error names that field', () => {
    expect(thrown(() => readEnvelope({ kind: 'x', formatVersion: 1, state: {} }, 'kind', 'linear', [1])).message).toBe('kind is "x"; expected "linear"');
    expect(thrown(() => readEnvelope({ kind: 'linear', formatVersion: 2, state: {} }, 'kind', 'linear', [1])).message).toMatch(/^formatVersion is 2; expected 1/);
    expect(thrown(() => readEnvelope(null, 'kind', 'linear', [1])).message).toBe('document is null; expected an object');
    expect(readEnvelope({ kind: 'linear', formatVersion: 1, state: { a: 1 } }, 'kind', 'linear', [1]).field('a').number()).toBe(1);
  });

  it('when a loader fails, then withStateFile prefixes the file to soma errors and lets other errors through', async () => {
    const e = thrown(() => withStateFile('model/model.json', () => st.field('k').string()));
    expect(e.message).toBe('model/model.json: state.k is 2.5; expected a string');
    expect(e.details).toMatchObject({ file: 'model/model.json', field: 'state.k' });
    const params = thrown(() => withStateFile('model/model.json', () => { throw new SomaError('PARAM_INVALID', 'gbdt: parameter max_depth = -1 is invalid'); }));
    expect([params.code, params.message]).toEqual(['REGISTRY_INTEGRITY', 'model/model.json: gbdt: parameter max_depth = -1 is invalid']);
    expect(() => withStateFile('f', () => { throw new TypeError('a bug'); })).toThrow(TypeError);
    await expect(withStateFile('preprocess.json', async () => st.field('k').bool())).rejects.toThrow(/^preprocess\.json: state\.k is 2\.5; expected true or false$/);
  });
});
