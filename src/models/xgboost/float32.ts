// Float32 helpers for XGBoost's model format: XGBoost stores split conditions and leaf values as
// float32 and casts every input value to float32 before comparing, so a soma threshold (a float64
// compared with `<=`) has to be re-expressed as the float32 XGBoost's `<` comparison needs.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The next float32 above the float32 `x` (x finite; -0 counts as 0). */
export function nextUp32(x: number): number {
  f32[0] = x;
  if (x === 0) {
    u32[0] = 1; // the smallest positive subnormal
    return f32[0]!;
  }
  u32[0] = x > 0 ? u32[0]! + 1 : u32[0]! - 1;
  return f32[0]!;
}

/** The largest finite float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * XGBoost's split condition for soma's `x <= t`. XGBoost cannot tell apart inputs that round to
 * the same float32, so the condition decides where the float32 cell holding t goes. soma's
 * thresholds are training values (quantile edges) or midpoints between two of them, and the
 * choice keeps both kinds right:
 * - t exactly halfway between adjacent float32 values lo < hi (the midpoint of two float32
 *   training values): s = hi, so lo goes left and hi right;
 * - otherwise s = the float32 after float32(t): t's own cell goes left, so an input equal to
 *   the threshold (a training value) goes left, as in soma.
 * Every input that is a float32 value (integers below 2^24, halves, quarters, anything stored as
 * float32) then takes soma's branch. A float64 input can differ only when it rounds to the same
 * float32 as t without being t (within about 6e-8 relative). t = Infinity (soma's "every value
 * left") becomes the largest float32.
 */
export function splitCondition(t: number): number {
  const r = Math.fround(t);
  if (r >= FLOAT32_MAX) return FLOAT32_MAX;
  if (r !== t) {
    const lo = r < t ? r : nextDown32(r);
    const hi = r < t ? nextUp32(r) : r;
    if ((lo + hi) / 2 === t) return hi;
  }
  return nextUp32(r);
}

/** The float32 just below the float32 `x`. */
export function nextDown32(x: number): number {
  return -nextUp32(-x);
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The float64 just below the positive or negative finite float64 `x` (x != 0). */
function nextDown64(x: number): number {
  f64[0] = x;
  u64[0] = x > 0 ? u64[0]! - 1n : u64[0]! + 1n;
  return f64[0]!;
}

/**
 * The inverse, for import: soma's threshold t such that `x <= t` on float64 x takes the same
 * branch as XGBoost's `float32(x) < s`, exactly. float32(x) < s holds when x rounds to at most
 * p, the float32 below s: x below the midpoint m of p and s, or at m when round-half-to-even
 * picks p (p's last mantissa bit 0). m needs 25 significant bits, so it is exact in a float64.
 */
export function thresholdBelow(s: number): number {
  const hi = Math.fround(s);
  if (hi === Infinity) return Infinity;
  if (hi === -Infinity) return -Infinity;
  const lo = nextDown32(hi);
  const m = (lo + hi) / 2;
  f32[0] = lo;
  const loEven = (u32[0]! & 1) === 0;
  if (loEven) return m;
  return m === 0 ? -Number.MIN_VALUE : nextDown64(m);
}
