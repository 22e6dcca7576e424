import { describe, expect, it } from 'vitest';

import { SomaError } from '../../src/errors.js';
import { formatRef, modelId, normalizeModelName, parseRef } from '../../src/registry/ref.js';

describe('parseRef', () => {
  it('when only a name is given, then it means the latest version', () => {
    expect(parseRef('penguins')).toEqual({ kind: 'latest', name: 'penguins' });
    expect(parseRef('penguins@latest')).toEqual({ kind: 'latest', name: 'penguins' });
  });

  it('when name@x.y.z is given, then it is an exact version', () => {
    expect(parseRef('penguins@1.2.0')).toEqual({ kind: 'version', name: 'penguins', version: '1.2.0' });
  });

  it('when name@range is given, then caret, tilde and x-ranges are ranges', () => {
    for (const r of ['^1.2', '^1.2.3', '~1.2', '1.x', '1.2.x', '1.2', '*']) {
      expect(parseRef(`penguins@${r}`)).toEqual({ kind: 'range', name: 'penguins', range: r });
    }
  });

  it('when name@identifier is given, then it is an alias, compared in lower case', () => {
    expect(parseRef('penguins@production')).toEqual({ kind: 'alias', name: 'penguins', alias: 'production' });
    expect(parseRef('Penguins@Staging')).toEqual({ kind: 'alias', name: 'penguins', alias: 'staging' });
  });

  it("when the seed's name_vX.Y.Z id is given, then it is that exact version", () => {
    expect(parseRef('sentiment_classifier_v1.2.3')).toEqual({ kind: 'version', name: 'sentiment_classifier', version: '1.2.3' });
    expect(parseRef(modelId('fraud.v2-x', '10.0.1'))).toEqual({ kind: 'version', name: 'fraud.v2-x', version: '10.0.1' });
  });

  it('when a name merely contains _v or digits, then it stays a name', () => {
    expect(parseRef('model_v1')).toEqual({ kind: 'latest', name: 'model_v1' });
    expect(parseRef('model_v1.2')).toEqual({ kind: 'latest', name: 'model_v1.2' });
    expect(parseRef('model_v1.2@1.0.0')).toEqual({ kind: 'version', name: 'model_v1.2', version: '1.0.0' });
  });

  it('when a name ends in _vX.Y.Z, then it cannot be registered, so the id form is unambiguous', () => {
    expect(() => normalizeModelName('model_v1.2.0')).toThrow(/reserved/);
    expect(() => parseRef('model_v1.2.0@1.0.0')).toThrow(SomaError);
  });

  it.each([
    ['', 'empty'],
    ['@1.2.0', 'invalid'],
    ['penguins@', "nothing after '@'"],
    ['penguins@v1.2.0', 'not a version'],
    ['penguins@>=1.2', 'not a version or range'],
    ['penguins@^x', 'not a version or range'],
    ['Pen guins', 'invalid'],
    ['-penguins', 'invalid'],
    ['penguins@prod.1', 'not a version, range or alias'],
    ['penguins@1.2.3@x', 'not a version, range or alias'],
  ])("when the ref '%s' is bad, then a USAGE error lists the accepted forms", (s, why) => {
    let err: unknown;
    try {
      parseRef(s);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SomaError);
    expect((err as SomaError).code).toBe('USAGE');
    expect((err as SomaError).exitCode).toBe(2);
    expect((err as SomaError).message).toContain(why);
    expect(JSON.stringify((err as SomaError).details)).toContain('NAME_v1.2.0');
  });

  it('when a ref is formatted, then it parses back to the same ref', () => {
    for (const s of ['penguins', 'penguins@1.2.0', 'penguins@^1.2', 'penguins@production', 'penguins_v1.2.0']) {
      const r = parseRef(s);
      expect(parseRef(formatRef(r))).toEqual(r);
    }
  });
});
