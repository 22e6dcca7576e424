// Tree estimators read dense columns: sparse text features are densified in one place
// (src/models/dense.ts), so a tree model fits and predicts on them exactly as on their dense copy,
// and a matrix too large to densify is refused with the sizes instead of exhausting memory.

import { describe, expect, it } from 'vitest';
import { numericMatrix } from '../../src/engine/matrix.js';
import type { Target } from '../../src/tasks/task.js';
import { sparseVector } from '../../src/engine/sparse.js';
import { SomaError } from '../../src/errors.js';
import { denseColumns } from '../../src/models/dense.js';
import { Gbdt } from '../../src/models/gbdt.js';
import { DecisionTree } from '../../src/models/decision_tree.js';
import { RandomForest, randomForestParamsSchema } from '../../src/models/random_forest.js';
import { Mlp } from '../../src/models/mlp.js';
import { movieTitleFeatures } from '../fixtures/text/movies.js';

describe('dense columns for tree models', () => {
  const { movies, X, dense } = movieTitleFeatures({ min_df: 10 });
  const y: Target = { task: 'classification', values: Float64Array.from(movies, (m) => (m['Major Genre'] === 'Comedy' ? 1 : 0)), nClasses: 2 };

  it('when a tree model fits sparse text features, then it predicts exactly as on their dense copy', async () => {
    expect(X.columns.every((c) => !(c instanceof Float64Array))).toBe(true);
    const models = [
      () => new Gbdt({ n_estimators: 10, max_depth: 3, n_jobs: 1 }, 'classification'),
      () => new RandomForest('random_forest', randomForestParamsSchema, { n_estimators: 5, max_depth: 4, n_jobs: 1 }, 'classification'),
      () => new DecisionTree({ max_depth: 4 }, 'classification'),
    ];
    for (const make of models) {
      const a = await make().fit(X, y);
      const b = await make().fit(dense, y);
      expect(Array.from(a.predictProba(X))).toEqual(Array.from(b.predictProba(dense)));
    }
  });

  it('when the mlp fits sparse text features, then it predicts as on their dense copy', async () => {
    const params = { layers: [{ units: 8 }], epochs: 3, batch_size: 64, seed: 1, n_jobs: 1 };
    const a = await new Mlp(params, 'classification').fit(X, y);
    const b = await new Mlp(params, 'classification').fit(dense, y);
    const pa = a.predictProba(X);
    const pb = b.predictProba(dense);
    pa.forEach((v, i) => expect(v).toBeCloseTo(pb[i]!, 5));
  });

  it('when densifying would exceed 2 GiB, then the model says so with the sizes (exit 3)', () => {
    const rows = 30_000;
    const empty = sparseVector(rows, new Uint32Array(0), new Float64Array(0));
    const wide = numericMatrix(Array.from({ length: 10_000 }, (_, j) => `t:${j}`), Array.from({ length: 10_000 }, () => empty));
    let error: unknown;
    try {
      denseColumns(wide, 'gbdt');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SomaError);
    expect((error as SomaError).message).toMatch(/^gbdt: densifying 10000 sparse features x 30000 rows \(first "t:0"\) would need 2\.2 GiB \(limit 2 GiB\)/);
    expect((error as SomaError).exitCode).toBe(3);
  });
});
