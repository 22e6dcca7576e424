// The Theta method (Assimakopoulos & Nikolopoulos 2000) in Hyndman & Billah's form (2003):
// simple exponential smoothing with a drift of half the slope of the linear trend,
//
//   f_{n+h} = l_n + (b / 2) (h - 1 + 1/alpha - (1 - alpha)^n / alpha)
//
// where l_n is the SES level (alpha by least squares, golden-section search), b the OLS slope of
// y on time. Seasonal series (season m > 1, at least 2m values, and an autocorrelation at lag m
// beyond its 90% bound, as the M3 competition's Theta did) are first adjusted by classical
// decomposition: multiplicative when every value is positive, additive otherwise; the forecast is
// re-seasonalised with the same indices.

export interface ThetaFit {
  alpha: number;
  level: number;
  slope: number;
  n: number;
  /** Seasonal indices for the forecast steps' positions, oldest-first from the next period (empty: none). */
  season: Float64Array;
  multiplicative: boolean;
}

function acf(y: Float64Array, lag: number): number {
  const n = y.length;
  let mean = 0;
  for (const v of y) mean += v / n;
  let den = 0;
  for (const v of y) den += (v - mean) * (v - mean);
  if (!(den > 0)) return 0;
  let num = 0;
  for (let t = lag; t < n; t++) num += (y[t]! - mean) * (y[t - lag]! - mean);
  return num / den;
}

/** Whether the lag-m autocorrelation exceeds 1.645 sqrt((1 + 2 sum_{k<m} r_k^2) / n). */
function seasonalTest(y: Float64Array, m: number): boolean {
  let s = 0;
  for (let k = 1; k < m; k++) s += acf(y, k) ** 2;
  return Math.abs(acf(y, m)) > 1.645 * Math.sqrt((1 + 2 * s) / y.length);
}

/** Classical decomposition's seasonal indices (centred moving average of length m), per position t mod m. */
function seasonalIndices(y: Float64Array, m: number, multiplicative: boolean): Float64Array {
  const n = y.length;
  const sum = new Float64Array(m);
  const cnt = new Float64Array(m);
  const half = Math.floor(m / 2);
  for (let t = half; t < n - half; t++) {
    let ma: number;
    if (m % 2 === 0) {
      if (t + half >= n) continue;
      let s = (y[t - half]! + y[t + half]!) / 2;
      for (let j = t - half + 1; j < t + half; j++) s += y[j]!;
      ma = s / m;
    } else {
      let s = 0;
      for (let j = t - half; j <= t + half; j++) s += y[j]!;
      ma = s / m;
    }
    sum[t % m]! += multiplicative ? y[t]! / ma : y[t]! - ma;
    cnt[t % m]!++;
  }
  const idx = new Float64Array(m);
  let avg = 0;
  for (let j = 0; j < m; j++) {
    idx[j] = cnt[j]! > 0 ? sum[j]! / cnt[j]! : multiplicative ? 1 : 0;
    avg += idx[j]! / m;
  }
  for (let j = 0; j < m; j++) idx[j] = multiplicative ? idx[j]! / avg : idx[j]! - avg;
  return idx;
}

function sesSse(x: Float64Array, alpha: number): { sse: number; level: number } {
  let l = x[0]!;
  let sse = 0;
  for (let t = 1; t < x.length; t++) {
    const e = x[t]! - l;
    sse += e * e;
    l += alpha * e;
  }
  return { sse, level: l };
}

export function fitTheta(y: Float64Array, m: number): ThetaFit {
  const n = y.length;
  let season = new Float64Array(0);
  let multiplicative = false;
  let x = y;
  if (m > 1 && n >= 2 * m && seasonalTest(y, m)) {
    multiplicative = y.every((v) => v > 0);
    const idx = seasonalIndices(y, m, multiplicative);
    x = Float64Array.from(y, (v, t) => (multiplicative ? v / idx[t % m]! : v - idx[t % m]!));
    season = Float64Array.from({ length: m }, (_, j) => idx[(n + j) % m]!);
  }
  // OLS slope of x on t.
  let tm = 0;
  let xm = 0;
  for (let t = 0; t < n; t++) {
    tm += t / n;
    xm += x[t]! / n;
  }
  let sxy = 0;
  let sxx = 0;
  for (let t = 0; t < n; t++) {
    sxy += (t - tm) * (x[t]! - xm);
    sxx += (t - tm) * (t - tm);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  // Golden-section search for alpha in [0.01, 0.99].
  let a = 0.01;
  let b = 0.99;
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = sesSse(x, c).sse;
  let fd = sesSse(x, d).sse;
  for (let it = 0; it < 40; it++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = sesSse(x, c).sse;
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = sesSse(x, d).sse;
    }
  }
  const alpha = (a + b) / 2;
  return { alpha, level: n > 0 ? sesSse(x, alpha).level : NaN, slope, n, season, multiplicative };
}

export function thetaForecast(fit: ThetaFit, h: number): Float64Array {
  const out = new Float64Array(h);
  const { alpha, n } = fit;
  const base = 1 / alpha - (1 - alpha) ** n / alpha;
  for (let k = 0; k < h; k++) {
    let f = fit.level + (fit.slope / 2) * (k + base);
    if (fit.season.length > 0) {
      const s = fit.season[k % fit.season.length]!;
      f = fit.multiplicative ? f * s : f + s;
    }
    out[k] = f;
  }
  return out;
}
