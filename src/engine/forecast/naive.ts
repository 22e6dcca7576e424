// The simplest forecasts, and the benchmarks every other model must beat: the last value
// (naive), and the value one season before (seasonal naive, period m), repeated.

/** The last value of `y`, `h` times (NaN for an empty history). */
export function naiveForecast(y: Float64Array, h: number): Float64Array {
  return new Float64Array(h).fill(y.length > 0 ? y[y.length - 1]! : NaN);
}

/** y[n - m + (k mod m)] for step k; the naive forecast when the history is shorter than a season. */
export function seasonalNaiveForecast(y: Float64Array, m: number, h: number): Float64Array {
  const n = y.length;
  if (m <= 1 || n < m) return naiveForecast(y, h);
  const out = new Float64Array(h);
  for (let k = 0; k < h; k++) out[k] = y[n - m + (k % m)]!;
  return out;
}
