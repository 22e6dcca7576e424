// Per-user score kernels over the whole catalog, described by plain typed-array records so the
// same description runs on the calling thread or in a worker (structured clone copies it).
// Every kind fills a caller-allocated buffer with one score per item: higher is better, NaN
// means "cannot score this item" (never recommended).

import type { Csr } from './csr.js';

/** pu . qi + bu + bi + global: biased matrix factorisation and ALS (biases zero). */
export interface FactorScorer {
  kind: 'factors';
  factors: number;
  userFactors: Float32Array;
  itemFactors: Float32Array;
  userBias?: Float64Array;
  itemBias?: Float64Array;
  globalMean: number;
}

/** One score per item, the same for every user: popularity, item biases. */
export interface ItemScorer {
  kind: 'item';
  scores: Float64Array;
}

/** sum over the user's history of affinity(u, i) * sim(i, j): item-item neighbourhoods (SAR). */
export interface NeighborScorer {
  kind: 'neighbors';
  /** Users x items: the affinity of each user with the items of their history. */
  history: Csr;
  /** Items x items: each item's kept neighbours and similarities. */
  neighbors: Csr;
}

/** Cosine between the user's profile (affinity-weighted sum of item vectors) and each item vector. */
export interface ContentScorer {
  kind: 'content';
  history: Csr;
  /** Items x attributes, rows unit-norm. */
  features: Csr;
  /** Attributes x items: the transpose of `features`. */
  byFeature: Csr;
}

/**
 * A weighted sum of standardised scores (each part's scores over the items it can score, mean 0,
 * sd 1). An item a part cannot score (NaN) counts as that part's mean (0) when another part
 * scores it: the hybrid's cold items get their content score alone.
 */
export interface BlendScorer {
  kind: 'blend';
  parts: ScorerSpec[];
  weights: Float64Array;
}

/** Another scorer's scores, NaN for the items outside `keep` (keep[i] = 0). */
export interface MaskedScorer {
  kind: 'masked';
  inner: ScorerSpec;
  keep: Uint8Array;
}

export type ScorerSpec = FactorScorer | ItemScorer | NeighborScorer | ContentScorer | BlendScorer | MaskedScorer;

export interface Scorer {
  readonly items: number;
  /** Fills out[0..items) with user u's scores. */
  score(u: number, out: Float64Array): void;
}

export function makeScorer(spec: ScorerSpec, items: number): Scorer {
  switch (spec.kind) {
    case 'factors':
      return factorScorer(spec, items);
    case 'item':
      return { items, score: (_u, out) => out.set(spec.scores) };
    case 'neighbors':
      return neighborScorer(spec, items);
    case 'content':
      return contentScorer(spec, items);
    case 'blend':
      return blendScorer(spec, items);
    case 'masked': {
      const inner = makeScorer(spec.inner, items);
      return {
        items,
        score(u, out) {
          inner.score(u, out);
          for (let i = 0; i < items; i++) if (spec.keep[i] === 0) out[i] = NaN;
        },
      };
    }
  }
}

function factorScorer(s: FactorScorer, items: number): Scorer {
  const f = s.factors;
  const P = s.userFactors;
  const Q = s.itemFactors;
  const bi = s.itemBias;
  const bu = s.userBias;
  return {
    items,
    score(u, out) {
      const base = s.globalMean + (bu ? bu[u]! : 0);
      const pu = u * f;
      for (let i = 0; i < items; i++) {
        let d = base + (bi ? bi[i]! : 0);
        const qi = i * f;
        for (let k = 0; k < f; k++) d += P[pu + k]! * Q[qi + k]!;
        out[i] = d;
      }
    },
  };
}

function neighborScorer(s: NeighborScorer, items: number): Scorer {
  const { history: h, neighbors: nb } = s;
  return {
    items,
    score(u, out) {
      out.fill(0);
      for (let e = h.indptr[u]!; e < h.indptr[u + 1]!; e++) {
        const i = h.indices[e]!;
        const a = h.values[e]!;
        for (let t = nb.indptr[i]!; t < nb.indptr[i + 1]!; t++) out[nb.indices[t]!]! += a * nb.values[t]!;
      }
    },
  };
}

function contentScorer(s: ContentScorer, items: number): Scorer {
  const { history: h, features: x, byFeature: xt } = s;
  const profile = new Float64Array(x.cols);
  return {
    items,
    score(u, out) {
      profile.fill(0);
      for (let e = h.indptr[u]!; e < h.indptr[u + 1]!; e++) {
        const i = h.indices[e]!;
        const a = h.values[e]!;
        for (let t = x.indptr[i]!; t < x.indptr[i + 1]!; t++) profile[x.indices[t]!]! += a * x.values[t]!;
      }
      let norm = 0;
      for (let k = 0; k < profile.length; k++) norm += profile[k]! * profile[k]!;
      out.fill(0);
      if (norm === 0) return;
      const inv = 1 / Math.sqrt(norm);
      for (let k = 0; k < xt.rows; k++) {
        const p = profile[k]! * inv;
        if (p === 0) continue;
        for (let t = xt.indptr[k]!; t < xt.indptr[k + 1]!; t++) out[xt.indices[t]!]! += p * xt.values[t]!;
      }
    },
  };
}

function blendScorer(s: BlendScorer, items: number): Scorer {
  const parts = s.parts.map((p) => makeScorer(p, items));
  const tmp = new Float64Array(items);
  return {
    items,
    score(u, out) {
      out.fill(NaN);
      parts.forEach((part, p) => {
        part.score(u, tmp);
        let n = 0;
        let sum = 0;
        let sq = 0;
        for (let i = 0; i < items; i++) {
          const v = tmp[i]!;
          if (v === v) {
            n++;
            sum += v;
            sq += v * v;
          }
        }
        if (n === 0) return;
        const mean = sum / n;
        const sd = Math.sqrt(Math.max(sq / n - mean * mean, 0)) || 1;
        const w = s.weights[p]!;
        for (let i = 0; i < items; i++) {
          const v = tmp[i]!;
          const z = v === v ? ((v - mean) / sd) * w : NaN;
          const o = out[i]!;
          out[i] = o === o ? (z === z ? o + z : o) : z;
        }
      });
    },
  };
}
