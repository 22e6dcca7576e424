// Exponential smoothing with additive errors in its state-space form (Hyndman et al. 2008,
// "Forecasting with Exponential Smoothing"; statsforecast's AutoETS and statsmodels' ETSModel
// use the same recursions):
//
//   forecast  f_t   = l_{t-1} + phi b_{t-1} + s_{t-m}
//   error     e_t   = y_t - f_t
//   level     l_t   = l_{t-1} + phi b_{t-1} + alpha e_t
//   trend     b_t   = phi b_{t-1} + beta e_t                (N: none; A: phi = 1; Ad: damped, phi < 1)
//   season    s_t   = s_{t-m} + gamma e_t                   (N: none; A: additive)
//
// Models ANN, AAN, AAdN, ANA, AAA, AAdA. Smoothing parameters and the initial level (and trend)
// are estimated by minimising the sum of squared one-step errors with Nelder-Mead through a
// transform that keeps 0 < alpha < 1, 0 < beta < alpha, 0 < gamma < 1 - alpha, 0.8 <= phi <= 0.98
// (the forecast package's usual region); initial seasonal states come from the first seasons
// (means of each season position minus its season's mean). `auto` fits every model the history
// supports and keeps the one with the smallest AICc, n log(SSE / n) + 2k + 2k(k+1)/(n-k-1), k
// counting the estimated parameters, every initial state and the variance. Multiplicative
// error, trend and season forms are not fitted (a series with zeros, as demand has, rules them
// out anyway).

import { nelderMead } from '../optim/nelder-mead.js';

export const ETS_MODELS = ['ANN', 'AAN', 'AAdN', 'ANA', 'AAA', 'AAdA'] as const;
export type EtsModel = (typeof ETS_MODELS)[number];

export interface EtsFit {
  model: EtsModel;
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
  /** States after the last observation: level, trend, and the last m seasonal states (oldest first). */
  level: number;
  trend: number;
  season: Float64Array;
  sse: number;
  aicc: number;
  n: number;
}

const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const logit = (p: number): number => Math.log(p / (1 - p));

interface Shape {
  trend: boolean;
  damped: boolean;
  seasonal: boolean;
}

const SHAPES: Readonly<Record<EtsModel, Shape>> = {
  ANN: { trend: false, damped: false, seasonal: false },
  AAN: { trend: true, damped: false, seasonal: false },
  AAdN: { trend: true, damped: true, seasonal: false },
  ANA: { trend: false, damped: false, seasonal: true },
  AAA: { trend: true, damped: false, seasonal: true },
  AAdA: { trend: true, damped: true, seasonal: true },
};
const shapeOf = (m: EtsModel): Shape => SHAPES[m];

/** Whether a model can be fitted to n observations with season length m. */
export function etsFits(model: EtsModel, n: number, m: number): boolean {
  const s = shapeOf(model);
  if (s.seasonal && (m <= 1 || n < 2 * m)) return false;
  return n - parameterCount(s, m) - 1 > 0 && n >= (s.trend ? 3 : 2);
}

function parameterCount(s: Shape, m: number): number {
  // smoothing (alpha, beta, gamma, phi) + initial states (l, b, m - 1 free seasonals) + variance
  return 1 + (s.trend ? 2 : 0) + (s.damped ? 1 : 0) + (s.seasonal ? 1 + (m - 1) : 0) + 1 + 1;
}

/** Initial seasonal states from the first full seasons (sum 0). */
function initialSeason(y: Float64Array, m: number): Float64Array {
  const k = Math.min(Math.floor(y.length / m), 4);
  const s = new Float64Array(m);
  for (let c = 0; c < k; c++) {
    let mean = 0;
    for (let j = 0; j < m; j++) mean += y[c * m + j]! / m;
    for (let j = 0; j < m; j++) s[j]! += (y[c * m + j]! - mean) / k;
  }
  let avg = 0;
  for (let j = 0; j < m; j++) avg += s[j]! / m;
  for (let j = 0; j < m; j++) s[j]! -= avg;
  return s;
}

interface Run {
  sse: number;
  level: number;
  trend: number;
  season: Float64Array;
}

/** The recursions over y from the given start states; `season` is updated in place (circular, position t mod m). */
function run(y: Float64Array, s: Shape, m: number, alpha: number, beta: number, gamma: number, phi: number, l0: number, b0: number, season0: Float64Array | undefined): Run {
  let l = l0;
  let b = s.trend ? b0 : 0;
  const ph = s.trend ? (s.damped ? phi : 1) : 0;
  const season = season0 ? Float64Array.from(season0) : new Float64Array(0);
  let sse = 0;
  const n = y.length;
  if (s.seasonal) {
    // j = t mod m, kept as a counter: the modulo is most of the loop's cost.
    for (let t = 0, j = 0; t < n; t++) {
      const st = season[j]!;
      const e = y[t]! - (l + ph * b + st);
      sse += e * e;
      l = l + ph * b + alpha * e;
      b = ph * b + beta * e;
      season[j] = st + gamma * e;
      if (++j === m) j = 0;
    }
  } else {
    for (let t = 0; t < n; t++) {
      const e = y[t]! - (l + ph * b);
      sse += e * e;
      l = l + ph * b + alpha * e;
      b = ph * b + beta * e;
    }
  }
  return { sse, level: l, trend: b, season };
}

/** Fits one model to y (season length m). */
export function fitEts(y: Float64Array, m: number, model: EtsModel, maxEvaluations = 400): EtsFit {
  const s = shapeOf(model);
  const n = y.length;
  const season0 = s.seasonal ? initialSeason(y, m) : undefined;
  const first = Math.min(n, s.seasonal ? m : 1);
  let l0 = 0;
  for (let t = 0; t < first; t++) l0 += y[t]! / first;
  let b0 = 0;
  if (s.trend) {
    if (s.seasonal && n >= 2 * m) {
      let a = 0;
      let c = 0;
      for (let j = 0; j < m; j++) {
        a += y[j]!;
        c += y[m + j]!;
      }
      b0 = (c - a) / (m * m);
    } else b0 = n > 1 ? y[1]! - y[0]! : 0;
  }
  let scale = 0;
  for (let t = 1; t < n; t++) scale += Math.abs(y[t]! - y[t - 1]!) / (n - 1);
  if (!(scale > 0)) scale = Math.abs(l0) > 0 ? Math.abs(l0) * 0.1 : 1;
  // x = [logit alpha, logit(beta/alpha), logit(gamma/(1-alpha)), logit((phi-0.8)/0.18), dl0/scale, db0/scale]
  const decode = (x: Float64Array) => {
    const alpha = 0.0001 + 0.9998 * sig(x[0]!);
    let i = 1;
    const beta = s.trend ? alpha * sig(x[i++]!) : 0;
    const gamma = s.seasonal ? (1 - alpha) * sig(x[i++]!) : 0;
    const phi = s.damped ? 0.8 + 0.18 * sig(x[i++]!) : 1;
    const l = l0 + scale * x[i++]!;
    const b = s.trend ? b0 + scale * x[i++]! : 0;
    return { alpha, beta, gamma, phi, l, b };
  };
  const x0: number[] = [logit(0.3)];
  if (s.trend) x0.push(logit(0.1));
  if (s.seasonal) x0.push(logit(0.1));
  if (s.damped) x0.push(logit((0.98 - 0.8) / 0.18 - 1e-3));
  x0.push(0);
  if (s.trend) x0.push(0);
  const objective = (x: Float64Array): number => {
    const p = decode(x);
    return run(y, s, m, p.alpha, p.beta, p.gamma, p.phi, p.l, p.b, season0).sse;
  };
  const opt = nelderMead(objective, Float64Array.from(x0), { step: 0.5, maxEvaluations, tolerance: 1e-8 });
  const p = decode(opt.x);
  const r = run(y, s, m, p.alpha, p.beta, p.gamma, p.phi, p.l, p.b, season0);
  const k = parameterCount(s, m);
  const sse = Math.max(r.sse, 1e-12 * n);
  const aicc = n * Math.log(sse / n) + 2 * k + (n - k - 1 > 0 ? (2 * k * (k + 1)) / (n - k - 1) : Infinity);
  // Seasonal states in time order: the next period's state is at position n mod m.
  const season = new Float64Array(s.seasonal ? m : 0);
  for (let j = 0; j < season.length; j++) season[j] = r.season[(n + j) % m]!;
  return { model, alpha: p.alpha, beta: p.beta, gamma: p.gamma, phi: p.phi, level: r.level, trend: r.trend, season, sse: r.sse, aicc, n };
}

/** Fits every candidate the history supports and keeps the smallest AICc (ANN when nothing else fits). */
export function autoEts(y: Float64Array, m: number, candidates: readonly EtsModel[] = ETS_MODELS, maxEvaluations = 400): EtsFit {
  let best: EtsFit | undefined;
  for (const model of candidates) {
    if (!etsFits(model, y.length, m)) continue;
    const fit = fitEts(y, m, model, maxEvaluations);
    if (!best || fit.aicc < best.aicc) best = fit;
  }
  return best ?? fitEts(y, m, 'ANN', maxEvaluations);
}

/** Point forecasts 1..h steps after the fit's last observation. */
export function etsForecast(fit: EtsFit, h: number): Float64Array {
  const s = shapeOf(fit.model);
  const out = new Float64Array(h);
  let damp = 0;
  let pw = 1;
  for (let k = 0; k < h; k++) {
    if (s.trend) {
      pw *= s.damped ? fit.phi : 1;
      damp += pw;
    }
    const st = s.seasonal ? fit.season[k % fit.season.length]! : 0;
    out[k] = fit.level + damp * fit.trend + st;
  }
  return out;
}
