// The local models' kernels: naive and seasonal naive by definition, ETS recovering series its
// forms describe exactly and choosing forms by AICc, Theta's drift and seasonal adjustment.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { autoEts, etsFits, etsForecast, fitEts } from '../../../src/engine/forecast/ets.js';
import { naiveForecast, seasonalNaiveForecast } from '../../../src/engine/forecast/naive.js';
import { fitTheta, thetaForecast } from '../../../src/engine/forecast/theta.js';
import { nelderMead } from '../../../src/engine/optim/nelder-mead.js';
import { repoRoot } from '../../helpers/cli.js';

const co2 = (): Float64Array => {
  const rows = readFileSync(path.join(repoRoot, 'test', 'fixtures', 'forecast', 'co2.csv'), 'utf8').trim().split('\n').slice(1);
  return Float64Array.from(rows, (r) => Number(r.split(',')[1]));
};

describe('naive and seasonal naive', () => {
  it('when forecasting, then naive repeats the last value and seasonal naive the last season, falling back to naive on a short history', () => {
    expect(Array.from(naiveForecast(Float64Array.from([1, 2, 3]), 2))).toEqual([3, 3]);
    expect(Array.from(seasonalNaiveForecast(Float64Array.from([1, 2, 3, 4, 5]), 3, 4))).toEqual([3, 4, 5, 3]);
    expect(Array.from(seasonalNaiveForecast(Float64Array.from([1, 2]), 3, 2))).toEqual([2, 2]);
  });
});

describe('Nelder-Mead', () => {
  it('when minimising the Rosenbrock function from (-1.2, 1), then it reaches (1, 1)', () => {
    const r = nelderMead((x) => 100 * (x[1]! - x[0]! ** 2) ** 2 + (1 - x[0]!) ** 2, Float64Array.from([-1.2, 1]), { maxEvaluations: 2000, tolerance: 1e-14 });
    expect(r.x[0]!).toBeCloseTo(1, 3);
    expect(r.x[1]!).toBeCloseTo(1, 3);
  });
});

describe('ETS', () => {
  it('when a series is a straight line, then the trend form forecasts its continuation', () => {
    const y = Float64Array.from({ length: 40 }, (_, t) => 5 + 2 * t);
    const f = etsForecast(fitEts(y, 1, 'AAN'), 3);
    for (let k = 0; k < 3; k++) expect(f[k]!).toBeCloseTo(5 + 2 * (40 + k), 1);
  });

  it('when a series is a level plus a fixed season, then the seasonal form forecasts the season and AICc prefers it to the forms without one', () => {
    const s = [3, -1, -4, 2];
    const y = Float64Array.from({ length: 48 }, (_, t) => 10 + s[t % 4]!);
    const fit = autoEts(y, 4);
    expect(['ANA', 'AAA', 'AAdA']).toContain(fit.model);
    const f = etsForecast(fit, 8);
    for (let k = 0; k < 8; k++) expect(f[k]!).toBeCloseTo(10 + s[(48 + k) % 4]!, 1);
  });

  it('when the history is shorter than two seasons, then seasonal forms are not fitted', () => {
    expect(etsFits('AAA', 7, 4)).toBe(false);
    expect(etsFits('AAN', 7, 4)).toBe(true);
    expect(['ANN', 'AAN', 'AAdN']).toContain(autoEts(Float64Array.from([1, 2, 3, 4, 5, 6, 7]), 4).model);
  });

  it('when fitted to the Mauna Loa CO2 record (trend and yearly season), then a seasonal trend form wins and the next year beats the seasonal naive forecast', () => {
    const y = co2();
    // Gaps in the record (five months, -99.99 in the source, absent here) do not occur in the last 20 years.
    const hist = y.subarray(y.length - 252, y.length - 12);
    const truth = y.subarray(y.length - 12);
    const fit = autoEts(hist, 12);
    expect(['AAA', 'AAdA']).toContain(fit.model);
    const f = etsForecast(fit, 12);
    const sn = seasonalNaiveForecast(hist, 12, 12);
    const mae = (a: Float64Array): number => a.reduce((s, v, i) => s + Math.abs(v - truth[i]!), 0) / 12;
    expect(mae(f)).toBeLessThan(mae(sn) / 2);
  });
});

describe('Theta', () => {
  it('when a series is a straight line, then the forecast keeps half its slope as drift', () => {
    const y = Float64Array.from({ length: 30 }, (_, t) => 2 * t);
    const fit = fitTheta(y, 1);
    expect(fit.slope).toBeCloseTo(2, 10);
    const f = thetaForecast(fit, 2);
    // Step 2 - step 1 = b / 2.
    expect(f[1]! - f[0]!).toBeCloseTo(1, 10);
  });

  it('when a positive series has a strong season, then it is adjusted multiplicatively and the forecast carries the season', () => {
    const s = [1.5, 0.5, 1.2, 0.8];
    const y = Float64Array.from({ length: 40 }, (_, t) => 100 * s[t % 4]!);
    const fit = fitTheta(y, 4);
    expect(fit.multiplicative).toBe(true);
    const f = thetaForecast(fit, 4);
    for (let k = 0; k < 4; k++) expect(f[k]!).toBeCloseTo(100 * s[(40 + k) % 4]!, 0);
  });
});
