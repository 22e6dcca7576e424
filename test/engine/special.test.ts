import { describe, expect, it } from 'vitest';
import { erf, erfc, normCdf, normPdf } from '../../src/engine/special.js';

// Reference values from the closed forms evaluated to 16 digits (erf(1), Phi(1.96), Phi(-8)).
describe('special functions', () => {
  it('when erf and erfc are evaluated, then they are odd / complementary and within 1.2e-7 of the true values', () => {
    expect(erf(0)).toBeCloseTo(0, 7);
    expect(Math.abs(erf(1) - 0.8427007929497149)).toBeLessThan(1.2e-7);
    expect(erf(-1)).toBe(-erf(1));
    for (const x of [-3, -0.5, 0.25, 2]) expect(Math.abs(erf(x) + erfc(x) - 1)).toBeLessThan(1e-15);
  });

  it('when the normal CDF is evaluated, then it matches the reference, and the far lower tail keeps its relative accuracy', () => {
    expect(normCdf(0)).toBeCloseTo(0.5, 7);
    expect(Math.abs(normCdf(1.96) - 0.9750021048517795)).toBeLessThan(1.2e-7);
    // 1 - Phi(8) would be all rounding error; computing through erfc keeps 6 significant digits.
    expect(Math.abs(normCdf(-8) / 6.22096057427178e-16 - 1)).toBeLessThan(1e-6);
    expect(normPdf(0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 15);
  });
});
