// Item-item similarity from co-occurrence (SAR's item similarity): items i and j co-occur once
// per user who has both, weighted by the product of the two interaction weights. Similarity is
// cosine c_ij / (sqrt(c_ii c_jj) + shrink), Jaccard c_ij / (c_ii + c_jj - c_ij + shrink) or lift
// c_ij / (c_ii c_jj + shrink); only each item's `neighbors` most similar other items are kept
// (a sparse items x items matrix), pairs co-occurring fewer than `minCount` times are dropped.
// Cost: sum over users of their history length squared.

import type { Csr } from './csr.js';
import { selectTopK, TopKBuffer } from './topk.js';

export type Similarity = 'cosine' | 'jaccard' | 'lift';

export interface NeighborOptions {
  neighbors: number;
  similarity: Similarity;
  shrink: number;
  /** Fewest users (unweighted) who must share two items for the pair to count. */
  minCount: number;
  signal?: AbortSignal;
}

/** `byUser` is users x items (weights), `byItem` its transpose; returns items x items. */
export function itemNeighbors(byUser: Csr, byItem: Csr, o: NeighborOptions): Csr {
  const nI = byItem.rows;
  const acc = new Float64Array(nI);
  const cnt = new Int32Array(nI);
  const touched = new Int32Array(nI);
  const self = new Float64Array(nI);
  for (let i = 0; i < nI; i++) {
    let s = 0;
    for (let e = byItem.indptr[i]!; e < byItem.indptr[i + 1]!; e++) s += byItem.values[e]! * byItem.values[e]!;
    self[i] = s;
  }
  const k = Math.min(o.neighbors, Math.max(nI - 1, 1));
  const buf = new TopKBuffer(k);
  const topItems = new Int32Array(k);
  const topScores = new Float64Array(k);
  const sims = new Float64Array(nI).fill(NaN);
  const ptr = new Int32Array(nI + 1);
  const idxParts: Int32Array[] = [];
  const valParts: Float64Array[] = [];
  let nnz = 0;
  for (let i = 0; i < nI; i++) {
    if ((i & 255) === 0 && o.signal?.aborted) throw o.signal.reason ?? new Error('aborted');
    let nt = 0;
    for (let e = byItem.indptr[i]!; e < byItem.indptr[i + 1]!; e++) {
      const u = byItem.indices[e]!;
      const wu = byItem.values[e]!;
      for (let t = byUser.indptr[u]!; t < byUser.indptr[u + 1]!; t++) {
        const j = byUser.indices[t]!;
        if (cnt[j] === 0) touched[nt++] = j;
        cnt[j]!++;
        acc[j]! += wu * byUser.values[t]!;
      }
    }
    for (let t = 0; t < nt; t++) {
      const j = touched[t]!;
      if (j !== i && cnt[j]! >= o.minCount) {
        const c = acc[j]!;
        const s =
          o.similarity === 'cosine'
            ? c / (Math.sqrt(self[i]! * self[j]!) + o.shrink)
            : o.similarity === 'jaccard'
              ? c / (self[i]! + self[j]! - c + o.shrink)
              : c / (self[i]! * self[j]! + o.shrink);
        if (s > 0) sims[j] = s;
      }
    }
    const kept = selectTopK(sims, k, buf, topItems, topScores, 0);
    // Stored ascending by item, as every Csr row.
    const order = Array.from({ length: kept }, (_, t) => t).sort((a, b) => topItems[a]! - topItems[b]!);
    const ix = new Int32Array(kept);
    const vx = new Float64Array(kept);
    order.forEach((t, q) => {
      ix[q] = topItems[t]!;
      vx[q] = topScores[t]!;
    });
    idxParts.push(ix);
    valParts.push(vx);
    nnz += kept;
    ptr[i + 1] = nnz;
    for (let t = 0; t < nt; t++) {
      const j = touched[t]!;
      acc[j] = 0;
      cnt[j] = 0;
      sims[j] = NaN;
    }
  }
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  for (let i = 0; i < nI; i++) {
    indices.set(idxParts[i]!, ptr[i]!);
    values.set(valParts[i]!, ptr[i]!);
  }
  return { rows: nI, cols: nI, indptr: ptr, indices, values };
}
