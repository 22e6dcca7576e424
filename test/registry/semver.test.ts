import { describe, expect, it } from 'vitest';

import { SomaError } from '../../src/errors.js';
import { bump, compareVersions, formatVersion, maxSatisfying, parseRange, parseVersion, satisfies, sortVersions } from '../../src/registry/semver.js';

describe('semver', () => {
  it('when a plain x.y.z is parsed, then its parts round-trip', () => {
    expect(parseVersion('1.20.3')).toEqual({ major: 1, minor: 20, patch: 3 });
    expect(formatVersion(parseVersion('0.0.0'))).toBe('0.0.0');
  });

  it.each(['1.2', '1', 'v1.2.0', '01.2.0', '1.2.3-rc.1', '1.2.3+b', '1.2.3.4', '', ' 1.2.3', 'a.b.c', '-1.0.0', '99999999999999999999.0.0'])(
    "when '%s' is parsed, then it is rejected with a USAGE error naming the value",
    (s) => {
      let err: unknown;
      try {
        parseVersion(s);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SomaError);
      expect((err as SomaError).code).toBe('USAGE');
      expect((err as SomaError).message).toContain(`'${s}'`);
      expect((err as SomaError).message).toContain('MAJOR.MINOR.PATCH');
    },
  );

  it("when a version has a leading 'v', then the hint says to drop it", () => {
    expect(() => parseVersion('v1.2.0')).toThrow(SomaError);
    try {
      parseVersion('v1.2.0');
    } catch (e) {
      expect((e as SomaError).hint).toContain('1.2.0');
    }
  });

  it('when versions are compared, then numeric order wins over string order', () => {
    expect(compareVersions('1.10.0', '1.9.0')).toBeGreaterThan(0);
    expect(compareVersions('2.0.0', '10.0.0')).toBeLessThan(0);
    expect(compareVersions('1.2.3', '1.2.3')).toBe(0);
    expect(sortVersions(['1.10.0', '1.2.0', '1.9.9', '0.1.0', '10.0.0'])).toEqual(['0.1.0', '1.2.0', '1.9.9', '1.10.0', '10.0.0']);
  });

  it('when a version is bumped, then the lower parts reset', () => {
    expect(bump('1.2.3', 'major')).toBe('2.0.0');
    expect(bump('1.2.3', 'minor')).toBe('1.3.0');
    expect(bump('1.2.3', 'patch')).toBe('1.2.4');
  });

  it('when ranges are checked, then exact, caret, tilde and x-ranges follow npm semantics', () => {
    const cases: [string, string, boolean][] = [
      ['1.2.0', '1.2.0', true],
      ['1.2.1', '1.2.0', false],
      ['1.2.0', '^1.2', true],
      ['1.9.9', '^1.2', true],
      ['2.0.0', '^1.2', false],
      ['1.1.9', '^1.2', false],
      ['1.2.2', '^1.2.3', false],
      ['1.2.3', '^1.2.3', true],
      ['1.99.0', '^1.2.3', true],
      ['0.2.5', '^0.2.3', true],
      ['0.3.0', '^0.2.3', false],
      ['0.0.4', '^0.0.3', false],
      ['1.5.0', '^1', true],
      ['1.2.9', '~1.2', true],
      ['1.3.0', '~1.2', false],
      ['1.2.4', '~1.2.3', true],
      ['1.2.2', '~1.2.3', false],
      ['1.7.0', '1.x', true],
      ['2.0.0', '1.x', false],
      ['1.2.7', '1.2.x', true],
      ['1.3.0', '1.2.x', false],
      ['1.2.7', '1.2', true],
      ['1.0.0', '1', true],
      ['7.1.0', '*', true],
    ];
    for (const [v, r, want] of cases) expect(satisfies(v, r), `${v} in ${r}`).toBe(want);
  });

  it('when several versions match a range, then maxSatisfying picks the highest by semver', () => {
    const vs = ['1.2.0', '1.10.0', '1.9.0', '2.0.0', 'junk'];
    expect(maxSatisfying(vs, '^1.2')).toBe('1.10.0');
    expect(maxSatisfying(vs, '~1.9')).toBe('1.9.0');
    expect(maxSatisfying(vs, '3.x')).toBeUndefined();
  });

  it.each(['>=1.2', '^', '~1.x.3', '1.x.2', '^v1', 'latest', '1.2.3 - 2.0.0'])("when the range '%s' is parsed, then it is rejected listing the accepted forms", (r) => {
    expect(() => parseRange(r)).toThrow(/invalid version range/);
    try {
      parseRange(r);
    } catch (e) {
      expect((e as SomaError).hint).toContain('^1.2');
    }
  });
});
