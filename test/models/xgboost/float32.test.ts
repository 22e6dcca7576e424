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
  it('when soma thresholds become XGBoost split conditions, then an input takes the other branch only if it rounds to the threshold\'s float32', () => {
    const ts = [...values(200, 1), ...values(100, 5).map((v) => (Math.fround(v) + nextUp32(Math.fround(v))) / 2)];
    const xs = values(200, 2);
    for (const t of ts) {
      const s = splitCondition(t);
      expect(Math.fround(s)).toBe(s);
      for (const x of [...xs, ...xs.map(Math.fround), t, Math.fround(t), nextUp32(Math.fround(t)), -nextUp32(-Math.fround(t))]) {
        if ((x <= t) !== (Math.fround(x) < s) && Math.fround(x) !== Math.fround(t)) throw new Error(`t=${t} s=${s} x=${x}: soma ${x <= t}, xgboost ${Math.fround(x) < s}`);
      }
    }
    expect(splitCondition(Infinity)).toBe(FLOAT32_MAX);
  });

  it('when the thresholds come from float32 data (values, and midpoints of neighbours k steps apart), then every float32 input takes the same branch', () => {
    const data = values(200, 3).map(Math.fround);
    const ts: number[] = [...data];
    for (const v of data) {
      let w = v;
      for (let k = 1; k <= 5; k++) {
        w = nextUp32(w);
        ts.push((v + w) / 2);
      }
    }
    const xs = values(200, 4).map(Math.fround);
    for (const t of ts) {
      const s = splitCondition(t);
      for (const x of [...xs, Math.fround(t), nextUp32(Math.fround(t)), -nextUp32(-Math.fround(t))]) {
        if ((x <= t) !== (x < s)) throw new Error(`t=${t} s=${s} x=${x}: soma ${x <= t}, xgboost ${x < s}`);
      }
    }
  });

  it('when a threshold is a decimal training value (a quantile edge), then that value goes left in XGBoost as in soma', () => {
    for (const t of [...values(300, 6).map((v) => Math.round(v * 1000) / 1000), 42.4, 19.8, 0.1, -3.7]) {
      const s = splitCondition(t);
      if (!(Math.fround(t) < s)) throw new Error(`t=${t} s=${s}: the threshold itself goes right in XGBoost`);
    }
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
