// Top-k selection over one user's score buffer: a size-k min-heap walk over every candidate
// item (no sort of the whole catalog, no sampled negatives), skipping the items the user has
// already seen and any the caller masks out. Ties go to the lower item index, so lists are a
// pure function of the scores.

/** Reusable heap storage for `selectTopK` (one per thread). */
export class TopKBuffer {
  readonly items: Int32Array;
  readonly scores: Float64Array;
  constructor(readonly k: number) {
    this.items = new Int32Array(k);
    this.scores = new Float64Array(k);
  }
}

/** a ranks below b: lower score, or the same score and a higher item index. */
function below(sa: number, ia: number, sb: number, ib: number): boolean {
  return sa < sb || (sa === sb && ia > ib);
}

/**
 * Writes the best `k` items of `scores` (descending, ties by item index) into outItems/outScores
 * from `offset` and returns how many were written (fewer than k when fewer candidates remain;
 * the rest of the slots are set to -1 / NaN). `seen` lists excluded items ascending in
 * [seenFrom, seenTo); `allowed[i] === 0` excludes item i; NaN scores are never selected.
 */
export function selectTopK(
  scores: Float64Array,
  k: number,
  buf: TopKBuffer,
  outItems: Int32Array,
  outScores: Float64Array,
  offset: number,
  seen?: Int32Array,
  seenFrom = 0,
  seenTo = 0,
  allowed?: Uint8Array,
): number {
  const hi = buf.items;
  const hs = buf.scores;
  let size = 0;
  let s = seenFrom;
  const n = scores.length;
  for (let i = 0; i < n; i++) {
    if (seen !== undefined && s < seenTo && seen[s] === i) {
      s++;
      continue;
    }
    if (allowed !== undefined && allowed[i] === 0) continue;
    const v = scores[i]!;
    if (v !== v) continue; // NaN
    if (size < k) {
      // Sift up a new leaf.
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!below(v, i, hs[p]!, hi[p]!)) break;
        hs[c] = hs[p]!;
        hi[c] = hi[p]!;
        c = p;
      }
      hs[c] = v;
      hi[c] = i;
    } else if (below(hs[0]!, hi[0]!, v, i)) {
      // Replace the root (the worst kept) and sift down.
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        if (l >= k) break;
        const r = l + 1;
        const m = r < k && below(hs[r]!, hi[r]!, hs[l]!, hi[l]!) ? r : l;
        if (!below(hs[m]!, hi[m]!, v, i)) break;
        hs[c] = hs[m]!;
        hi[c] = hi[m]!;
        c = m;
      }
      hs[c] = v;
      hi[c] = i;
    }
  }
  // Pop the heap from worst to best into the output, best first.
  for (let t = size - 1; t >= 0; t--) {
    outItems[offset + t] = hi[0]!;
    outScores[offset + t] = hs[0]!;
    const v = hs[t]!;
    const it = hi[t]!;
    let c = 0;
    const last = t;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= last) break;
      const r = l + 1;
      const m = r < last && below(hs[r]!, hi[r]!, hs[l]!, hi[l]!) ? r : l;
      if (!below(hs[m]!, hi[m]!, v, it)) break;
      hs[c] = hs[m]!;
      hi[c] = hi[m]!;
      c = m;
    }
    hs[c] = v;
    hi[c] = it;
  }
  for (let t = size; t < k; t++) {
    outItems[offset + t] = -1;
    outScores[offset + t] = NaN;
  }
  return size;
}
