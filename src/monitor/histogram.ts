// Counting kernels for reference profiles and drift: values against stored bin edges, category
// codes against stored category slots. Both add into a buffer the caller allocated, so a stream of
// chunks (a file too large to hold, a window of the prediction log) accumulates one histogram
// that is directly comparable with the reference's counts.

/**
 * Adds the histogram of `values` on `edges` to `out`. Bins follow the tree binning
 * (engine/tree/binning.ts): value bin b holds v with edges[b - 1] < v <= edges[b], bin 0 everything
 * up to edges[0], bin edges.length everything above the last edge; NaN (missing) goes to the slot
 * after them. `out` has at least edges.length + 2 slots: value bins, then missing.
 */
export function countOnEdges(edges: Float64Array, values: ArrayLike<number>, out: Float64Array): void {
  const m = edges.length;
  if (out.length < m + 2) throw new RangeError(`countOnEdges: out has ${out.length} slots, expected at least ${m + 2} (${m + 1} value bins and the missing one)`);
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v !== v) {
      out[m + 1]!++;
      continue;
    }
    // First edge not below v, as binOf searches.
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (edges[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    out[lo]!++;
  }
}

/**
 * Adds the counts of category `codes` to `out` through `slots` (code -> slot; see categorySlots in
 * reference.ts): out[slots[code]] for each code >= 0, and out[missingSlot] for each -1.
 */
export function countCodes(codes: Int32Array, slots: Int32Array, missingSlot: number, out: Float64Array): void {
  const n = codes.length;
  for (let i = 0; i < n; i++) {
    const c = codes[i]!;
    out[c < 0 ? missingSlot : slots[c]!]!++;
  }
}
