// Ranking metrics of top-k lists (scikit-learn's metrics/_ranking.py keeps the definitions in
// the docstrings; so do we). Every list ranks the whole catalog of candidates for one user with
// the items seen in training left out (no sampled negatives); `relevant` holds each list's
// relevant held-out items. With k <= the lists' length, for a list L with relevant set R
// (|R| >= 1) and hit_r = 1 when the item at rank r is in R:
//   precision@k = sum_{r<=k} hit_r / k
//   recall@k    = sum_{r<=k} hit_r / |R|
//   ndcg@k      = sum_{r<=k} hit_r / log2(r + 1)  /  sum_{r<=min(|R|,k)} 1 / log2(r + 1)
//   map@k       = sum_{r<=k} hit_r precision@r  /  min(|R|, k)
//   hit_rate@k  = 1 when any hit_r = 1 for r <= k, else 0
// each averaged over the lists with at least one relevant item (the others are not evaluated);
// and over every list:
//   coverage@k  = distinct items in the lists' first k / candidate items of the catalog
//   diversity@k = 1 - mean over pairs of the list's first k items of the Jaccard similarity of
//                 their attribute sets (two items without attributes count as similarity 0)
//   novelty@k   = mean over the list's first k items of -log2(p_i), p_i = share of training users
//                 who interacted with item i (at least one user, so never-seen items stay finite)
// A short list (fewer candidates than k) still divides precision by k; its missing slots are
// no hits and take part in no pair. These are the definitions of ../shared/bench/recsys_anchor.py.

import type { Csr } from '../../engine/recsys/csr.js';

export interface RankingInput {
  /** lists x listK item indices, best first; -1 past the end of a short list. */
  readonly lists: Int32Array;
  readonly listK: number;
  /** lists x items: the relevant held-out items of each list (row r belongs to list r). */
  readonly relevant: Csr;
  /** Items any list could hold (the coverage denominator). */
  readonly candidates: number;
  /** items x attribute tokens (any value = present): diversity's attribute sets. */
  readonly attributes?: Csr;
  /** Per item, the share of training users who interacted with it (novelty). */
  readonly popularity?: Float64Array;
}

export interface RankingScores {
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  hitRate: number;
  coverage: number;
  diversity: number;
  novelty: number;
  /** Lists with at least one relevant item. */
  evaluated: number;
}

/** The ranking metrics at k (k <= input.listK). NaN where undefined (no evaluated list, no attributes). */
export function rankingAtK(input: RankingInput, k: number): RankingScores {
  const { lists, listK: K, relevant: rel } = input;
  const n = rel.rows;
  if (lists.length !== n * K) throw new Error(`rankingAtK: ${lists.length} list slots for ${n} lists of ${K}`);
  if (!(k >= 1 && k <= K)) throw new Error(`rankingAtK: k = ${k} outside 1..${K}`);
  const disc = Float64Array.from({ length: k }, (_, r) => 1 / Math.log2(r + 2));
  let sp = 0;
  let sr = 0;
  let sn = 0;
  let sm = 0;
  let sh = 0;
  let ev = 0;
  const inRel = (row: number, item: number): boolean => {
    let lo = rel.indptr[row]!;
    let hi = rel.indptr[row + 1]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = rel.indices[mid]!;
      if (v === item) return true;
      if (v < item) lo = mid + 1;
      else hi = mid;
    }
    return false;
  };
  for (let l = 0; l < n; l++) {
    const nr = rel.indptr[l + 1]! - rel.indptr[l]!;
    if (nr === 0) continue;
    ev++;
    let hits = 0;
    let dcg = 0;
    let ap = 0;
    for (let r = 0; r < k; r++) {
      const item = lists[l * K + r]!;
      if (item >= 0 && inRel(l, item)) {
        hits++;
        dcg += disc[r]!;
        ap += hits / (r + 1);
      }
    }
    const m = Math.min(nr, k);
    let idcg = 0;
    for (let r = 0; r < m; r++) idcg += disc[r]!;
    sp += hits / k;
    sr += hits / nr;
    sn += dcg / idcg;
    sm += ap / m;
    if (hits > 0) sh++;
  }
  return {
    precision: ev ? sp / ev : NaN,
    recall: ev ? sr / ev : NaN,
    ndcg: ev ? sn / ev : NaN,
    map: ev ? sm / ev : NaN,
    hitRate: ev ? sh / ev : NaN,
    coverage: coverage(lists, K, n, k, input.candidates),
    diversity: input.attributes ? diversity(lists, K, n, k, input.attributes) : NaN,
    novelty: input.popularity ? novelty(lists, K, n, k, input.popularity) : NaN,
    evaluated: ev,
  };
}

function coverage(lists: Int32Array, K: number, n: number, k: number, candidates: number): number {
  if (candidates <= 0) return NaN;
  const seen = new Set<number>();
  for (let l = 0; l < n; l++) for (let r = 0; r < k; r++) if (lists[l * K + r]! >= 0) seen.add(lists[l * K + r]!);
  return seen.size / candidates;
}

/** |A n B| of two items' ascending attribute lists. */
function intersect(a: Csr, i: number, j: number): number {
  let p = a.indptr[i]!;
  let q = a.indptr[j]!;
  const pe = a.indptr[i + 1]!;
  const qe = a.indptr[j + 1]!;
  let c = 0;
  while (p < pe && q < qe) {
    const x = a.indices[p]!;
    const y = a.indices[q]!;
    if (x === y) {
      c++;
      p++;
      q++;
    } else if (x < y) p++;
    else q++;
  }
  return c;
}

function diversity(lists: Int32Array, K: number, n: number, k: number, attrs: Csr): number {
  let sum = 0;
  let count = 0;
  for (let l = 0; l < n; l++) {
    let pairs = 0;
    let sim = 0;
    for (let a = 0; a < k; a++) {
      const i = lists[l * K + a]!;
      if (i < 0) continue;
      for (let b = a + 1; b < k; b++) {
        const j = lists[l * K + b]!;
        if (j < 0) continue;
        const inter = intersect(attrs, i, j);
        const union = attrs.indptr[i + 1]! - attrs.indptr[i]! + attrs.indptr[j + 1]! - attrs.indptr[j]! - inter;
        sim += union > 0 ? inter / union : 0;
        pairs++;
      }
    }
    if (pairs > 0) {
      sum += 1 - sim / pairs;
      count++;
    }
  }
  return count ? sum / count : NaN;
}

function novelty(lists: Int32Array, K: number, n: number, k: number, pop: Float64Array): number {
  let sum = 0;
  let count = 0;
  for (let l = 0; l < n; l++) {
    let s = 0;
    let m = 0;
    for (let r = 0; r < k; r++) {
      const i = lists[l * K + r]!;
      if (i < 0) continue;
      s += -Math.log2(pop[i]!);
      m++;
    }
    if (m > 0) {
      sum += s / m;
      count++;
    }
  }
  return count ? sum / count : NaN;
}
