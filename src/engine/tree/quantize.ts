// Quantized gradients (LightGBM 4's trick): each row's gradient and hessian rounded
// stochastically to integer levels and packed into one float, gq * PACK + hq, so one add per
// row-feature accumulates both exactly. The levels are small enough that sums over every row stay
// below 2^53; rounding is unbiased, so node sums stay unbiased.

/** Multiplier separating the quantized gradient from the quantized hessian in a packed value. */
export const PACK = 2 ** 26;

/** Largest quantization level for n rows, so that sums of n packed values stay exact. */
export function quantLevels(n: number): number {
  return Math.max(1, Math.min(32767, Math.floor((PACK - 1) / Math.max(1, n))));
}

/** The value of one gradient and one hessian level, from the largest magnitudes over nRows rows. */
export function quantScales(gmax: number, hmax: number, nRows: number): [number, number] {
  const L = quantLevels(nRows);
  return [gmax > 0 ? gmax / L : 1, hmax > 0 ? hmax / L : 1];
}

/** Splits a packed sum into its gradient and hessian level sums. */
export function unpack(v: number): [number, number] {
  const g = Math.floor(v / PACK);
  return [g, v - g * PACK];
}

/**
 * 32 random bits for row r of a tree: a hash of the row id and the tree's seed (murmur3's
 * finaliser), so a row's rounding does not depend on where it sits in the index or which thread
 * packs it. The wasm `quantize` kernel computes the same bits.
 */
function roundingBits(seed: number, r: number): number {
  let x = Math.imul(r, 0x9e3779b1) ^ seed;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Packs stochastically rounded gradient and hessian levels of the sampled rows into `packed`;
 * returns the value of one level of each and the (exact) sum of the packed values. Rounding is
 * unbiased, so node sums stay unbiased.
 */
export function quantize(grad: Float64Array, hess: Float64Array, rows: Uint32Array, nRows: number, packed: Float64Array, seed: number): [number, number, number] {
  let gmax = 0;
  let hmax = 0;
  for (let i = 0; i < nRows; i++) {
    const r = rows[i]!;
    const g = Math.abs(grad[r]!);
    if (g > gmax) gmax = g;
    if (hess[r]! > hmax) hmax = hess[r]!;
  }
  const [gScale, hScale] = quantScales(gmax, hmax, nRows);
  const gInv = 1 / gScale;
  const hInv = 1 / hScale;
  let total = 0;
  for (let i = 0; i < nRows; i++) {
    const r = rows[i]!;
    const x = roundingBits(seed, r);
    const gq = Math.floor(grad[r]! * gInv + (x & 0xffff) / 65536);
    const hq = Math.floor(hess[r]! * hInv + (x >>> 16) / 65536);
    const v = gq * PACK + hq;
    packed[r] = v;
    total += v;
  }
  return [gScale, hScale, total];
}
