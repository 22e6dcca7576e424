// Special functions: the error function and the standard normal distribution, from one
// Chebyshev fit of erfc (Numerical Recipes, |error| < 1.2e-7 everywhere, relative accuracy kept
// in the tail) so GELU activations and the search's expected improvement share it.

/** erfc(|x|): the fit itself, accurate in the far tail where 1 - erf underflows. */
function erfcAbs(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  return (
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    )
  );
}

/** erf(x) with absolute error below 1.2e-7. */
export function erf(x: number): number {
  const r = erfcAbs(x);
  return x >= 0 ? 1 - r : r - 1;
}

/** erfc(x) = 1 - erf(x), computed directly so it keeps its relative accuracy for large x. */
export function erfc(x: number): number {
  const r = erfcAbs(x);
  return x >= 0 ? r : 2 - r;
}

/** The standard normal CDF, through erfc so the lower tail keeps its relative accuracy. */
export function normCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** The standard normal density. */
export function normPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}
