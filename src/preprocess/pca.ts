// `pca`: principal components of numeric columns, learned on the training split: the columns are
// centred, their covariance matrix is diagonalised (cyclic Jacobi rotations: exact for the
// small, symmetric p x p matrices feature sets give, and no dependency), and the selected
// columns are replaced by `pca_1..pca_k`. `components` is a count, or a fraction of variance to
// explain (0.95: the fewest components explaining 95%). Training data must have no missing
// values (impute first); at prediction a row with a missing input gets missing components.

import { SomaError } from '../errors.js';
import { Frame, type Column } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { columnSelectorSchema, parseSelector, resolveColumns, type ColumnSelector } from './columns.js';
import { checkDensify, numeric, valuesOf } from './frames.js';
import { boolParam, numberParam, stateOf } from './params.js';
import type { StepJSON, StepSpec, Transformer } from './transformer.js';

const MAX_COLUMNS = 1000;

interface PcaState {
  columns: string[];
  mean: number[];
  /** components x columns, row-major: component j's loadings. */
  loadings: number[];
  /** Variance along each kept component. */
  variance: number[];
  explained_ratio: number[];
}

export class Pca implements Transformer {
  readonly step = 'pca';
  private readonly selector: ColumnSelector;
  private readonly components: number;
  private readonly whiten: boolean;
  private state: PcaState = { columns: [], mean: [], loadings: [], variance: [], explained_ratio: [] };

  constructor(readonly params: JsonObject) {
    this.selector = parseSelector(params['columns'], 'numeric');
    // A count (an integer >= 1) or a fraction of variance in (0, 1): the schema's anyOf says which.
    this.components = numberParam(params, pcaSpec, 'components');
    this.whiten = boolParam(params, pcaSpec, 'whiten');
  }

  fit(frame: Frame): void {
    const columns = resolveColumns(frame, this.selector, ['numeric'], 'pca');
    const p = columns.length;
    if (p > MAX_COLUMNS) {
      // The covariance costs rows x p^2 and the eigen-decomposition p^3 per sweep.
      throw new SomaError('CONFIG_INVALID', `preprocess pca: ${p} input columns is more than ${MAX_COLUMNS}`, { hint: 'select columns first (variance, correlation or importance), or name fewer columns' });
    }
    if (p === 0) {
      this.state = { columns, mean: [], loadings: [], variance: [], explained_ratio: [] };
      return;
    }
    checkDensify(frame, columns, 'pca');
    const data = columns.map((c) => valuesOf(frame, c, 'pca')!);
    const n = frame.rows;
    data.forEach((v, j) => {
      for (let i = 0; i < n; i++) {
        if (Number.isNaN(v[i]!)) {
          throw new SomaError('DATA_BAD_VALUE', `preprocess pca: column "${columns[j]}" has a missing value at training row ${i + 1}`, {
            hint: 'put an impute step before pca',
            details: { column: columns[j]!, row: i + 1 },
          });
        }
      }
    });
    if (typeof this.components === 'number' && this.components >= 1 && this.components > p) {
      throw new SomaError('CONFIG_INVALID', `preprocess pca: components ${this.components} is more than the ${p} input columns`);
    }
    const mean = data.map((v) => v.reduce((s, x) => s + x, 0) / Math.max(1, n));
    const centred = data.map((v, j) => {
      const m = mean[j]!;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = v[i]! - m;
      return out;
    });
    const cov = new Float64Array(p * p);
    const denom = Math.max(1, n - 1);
    for (let a = 0; a < p; a++) {
      for (let b = a; b < p; b++) {
        const x = centred[a]!;
        const y = centred[b]!;
        let s = 0;
        for (let i = 0; i < n; i++) s += x[i]! * y[i]!;
        cov[a * p + b] = cov[b * p + a] = s / denom;
      }
    }
    const { values, vectors } = jacobiEigen(cov, p);
    const order = Array.from({ length: p }, (_, j) => j).sort((a, b) => values[b]! - values[a]!);
    const total = values.reduce((s, v) => s + Math.max(0, v), 0);
    let k: number;
    if (this.components >= 1) k = this.components;
    else {
      k = p;
      let acc = 0;
      for (let j = 0; j < p; j++) {
        acc += Math.max(0, values[order[j]!]!);
        if (total > 0 && acc / total >= this.components - 1e-12) {
          k = j + 1;
          break;
        }
      }
    }
    const loadings: number[] = [];
    const variance: number[] = [];
    for (let j = 0; j < k; j++) {
      const e = order[j]!;
      // Sign: the largest loading positive, so refits on the same data give the same columns.
      let big = 0;
      for (let a = 0; a < p; a++) if (Math.abs(vectors[a * p + e]!) > Math.abs(vectors[big * p + e]!)) big = a;
      const sign = vectors[big * p + e]! < 0 ? -1 : 1;
      for (let a = 0; a < p; a++) loadings.push(sign * vectors[a * p + e]!);
      variance.push(Math.max(0, values[e]!));
    }
    this.state = { columns, mean, loadings, variance, explained_ratio: variance.map((v) => (total > 0 ? v / total : 0)) };
  }

  transform(frame: Frame): Frame {
    const { columns, mean, loadings, variance } = this.state;
    const p = columns.length;
    if (p === 0) return frame;
    checkDensify(frame, columns, 'pca');
    const inputs = columns.map((c) => valuesOf(frame, c, 'pca'));
    if (inputs.some((v) => !v)) return frame;
    const k = variance.length;
    const n = frame.rows;
    const outs: Column[] = [];
    for (let j = 0; j < k; j++) {
      const out = new Float64Array(n);
      for (let a = 0; a < p; a++) {
        const w = loadings[j * p + a]!;
        const v = inputs[a]!;
        const m = mean[a]!;
        for (let i = 0; i < n; i++) out[i] += (v[i]! - m) * w;
      }
      if (this.whiten) {
        const s = variance[j]! > 0 ? 1 / Math.sqrt(variance[j]!) : 1;
        for (let i = 0; i < n; i++) out[i] *= s;
      }
      outs.push(numeric(`pca_${j + 1}`, out));
    }
    const rest = frame.drop(columns);
    return new Frame([...rest.columns, ...outs]);
  }

  toJSON(): StepJSON {
    const s = this.state;
    return { step: this.step, params: this.params, state: { columns: s.columns, mean: s.mean, loadings: s.loadings, variance: s.variance, explained_ratio: s.explained_ratio } };
  }

  static fromJSON(json: StepJSON): Pca {
    const t = new Pca(json.params);
    t.state = {
      columns: stateOf<string[]>(json, 'columns'),
      mean: stateOf<number[]>(json, 'mean'),
      loadings: stateOf<number[]>(json, 'loadings'),
      variance: stateOf<number[]>(json, 'variance'),
      explained_ratio: stateOf<number[]>(json, 'explained_ratio'),
    };
    return t;
  }
}

/**
 * Eigen-decomposition of a symmetric p x p matrix (row-major) by cyclic Jacobi rotations.
 * Returns the eigenvalues and the eigenvectors as the columns of `vectors` (row-major p x p).
 */
export function jacobiEigen(matrix: Float64Array, p: number): { values: Float64Array; vectors: Float64Array } {
  const a = matrix.slice();
  const v = new Float64Array(p * p);
  for (let i = 0; i < p; i++) v[i * p + i] = 1;
  let scale = 0;
  for (let i = 0; i < p * p; i++) scale += a[i]! * a[i]!;
  const tol = 1e-22 * Math.max(scale, 1e-300);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) off += a[i * p + j]! * a[i * p + j]!;
    if (off <= tol) break;
    for (let i = 0; i < p; i++) {
      for (let j = i + 1; j < p; j++) {
        const aij = a[i * p + j]!;
        if (aij === 0) continue;
        const theta = (a[j * p + j]! - a[i * p + i]!) / (2 * aij);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A <- J^T A J on rows/columns i and j.
        for (let k = 0; k < p; k++) {
          const aki = a[k * p + i]!;
          const akj = a[k * p + j]!;
          a[k * p + i] = c * aki - s * akj;
          a[k * p + j] = s * aki + c * akj;
        }
        for (let k = 0; k < p; k++) {
          const aik = a[i * p + k]!;
          const ajk = a[j * p + k]!;
          a[i * p + k] = c * aik - s * ajk;
          a[j * p + k] = s * aik + c * ajk;
        }
        for (let k = 0; k < p; k++) {
          const vki = v[k * p + i]!;
          const vkj = v[k * p + j]!;
          v[k * p + i] = c * vki - s * vkj;
          v[k * p + j] = s * vki + c * vkj;
        }
      }
    }
  }
  const values = new Float64Array(p);
  for (let i = 0; i < p; i++) values[i] = a[i * p + i]!;
  return { values, vectors: v };
}

export const pcaSpec: StepSpec = {
  name: 'pca',
  description: 'Replace numeric columns by their principal components `pca_1..pca_k` (a count, or the fewest explaining a variance fraction)',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: columnSelectorSchema,
      components: {
        anyOf: [
          { type: 'integer', minimum: 1 },
          { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
        ],
        default: 0.95,
        description: 'Number of components, or the fraction of variance they must explain',
      },
      whiten: { type: 'boolean', default: false, description: 'Scale each component to unit variance' },
    },
  },
  create: (params) => new Pca(params),
  fromJSON: (json) => Pca.fromJSON(json),
};
