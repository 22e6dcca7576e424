// The float32 translation between soma's `x <= t` (float64) and XGBoost's `float32(x) < s`.

import { describe, expect, it } from 'vitest';
import { FLOAT32_MAX, nextUp32, splitCondition, thresholdBelow } from '../../../src/models/xgboost/float32.js';
import { floatText } from '../../../src/models/xgboost/json-text.js';

/** Deterministic values spread over magnitudes and signs, with exact float32 and decimal ones. */
function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const out: number[] = [0, -0, 1, -1, 19.8, 0.1, 1e-30, 3e38];
  for (let i = 0; i < n; i++) {
    const v = (next() - 0.5) * 10 ** Math.floor(next() * 12 - 4);
    out.push(v, Math.fround(v), Math.round(v * 10) / 10);
  }
  return out;
}

describe('float32 split conditions', () => {
  it('when soma thresholds become XGBoost split conditions, then every float32 input takes the same branch', () => {
    const ts = values(300, 1);
    const xs = values(300, 2).map(Math.fround);
    for (const t of ts) {
      const s = splitCondition(t);
      expect(Math.fround(s)).toBe(s);
      for (const x of [...xs, Math.fround(t), nextUp32(Math.fround(t)), -nextUp32(-Math.fround(t))]) {
        if ((x <= t) !== (x < s)) throw new Error(`t=${t} s=${s} x=${x}: soma ${x <= t}, xgboost ${x < s}`);
      }
    }
    expect(splitCondition(Infinity)).toBe(FLOAT32_MAX);
  });

  it('when XGBoost split conditions are imported, then every float64 input takes the same branch as XGBoost on its float32', () => {
    const ss = values(300, 3).map(Math.fround);
    const xs = values(300, 4);
    for (const s of ss) {
      const t = thresholdBelow(s);
      // The float64 values around the float32 cell boundary below s, where rounding decides.
      const lo = -nextUp32(-s);
      const m = (lo + s) / 2;
      for (const x of [...xs, m, m + Math.abs(m) * 1e-16, m - Math.abs(m) * 1e-16, s, lo]) {
        if ((x <= t) !== (Math.fround(x) < s)) throw new Error(`s=${s} t=${t} x=${x}: soma ${x <= t}, xgboost ${Math.fround(x) < s}`);
      }
    }
  });

  it('when floats are written for XGBoost, then whole numbers keep a fraction (XGBoost reads 0 as an integer)', () => {
    expect(floatText(0)).toBe('0.0');
    expect(floatText(-3)).toBe('-3.0');
    expect(floatText(0.5)).toBe('0.5');
    expect(floatText(FLOAT32_MAX)).toBe('3.4028234663852886e+38');
    expect(() => floatText(NaN)).toThrow(/NaN/);
  });
});
