import { describe, expect, it } from 'vitest';
import { RandomForest, randomForestSpec } from '../../src/models/random_forest.js';
import type { JsonObject } from '../../src/util/json.js';
import { accuracy, friedman, matrix, penguins, rmse, sklearnClassification, split, target } from '../engine/tree/datasets.js';
import { Rng } from '../../src/engine/random.js';
import { PARALLEL_MIN_CELLS } from '../../src/engine/tree/training.js';

// Held-out floors (30% test, seed 1); scikit-learn's RandomForestClassifier scores about the same.
const FLOOR = { iris: 0.88, wine: 0.95, breast: 0.93, penguins: 0.94, friedmanRmse: 1.8 };

const rf = (params: JsonObject, task: 'classification' | 'regression' = 'classification'): RandomForest => randomForestSpec.create(params, task) as RandomForest;
const roundTrip = (m: RandomForest): RandomForest => randomForestSpec.fromJSON(JSON.parse(JSON.stringify(m.toJSON()))) as RandomForest;

describe('random_forest', () => {
  it('when trained on iris, wine, breast cancer and penguins, then held-out accuracy and OOB score are above the floors', async () => {
    for (const [file, floor] of [['iris', FLOOR.iris], ['wine_data', FLOOR.wine], ['breast_cancer', FLOOR.breast], ['penguins', FLOOR.penguins]] as const) {
      const [tr, te] = split(file === 'penguins' ? penguins() : sklearnClassification(file), 0.3);
      const m = await rf({ n_estimators: 100 }).fit(tr.X, tr.y);
      expect(accuracy(te.y.values, m.predict(te.X)), file).toBeGreaterThanOrEqual(floor);
      const s = m.summary();
      expect(s['oob_metric']).toBe('accuracy');
      expect(s['oob_score'] as number).toBeGreaterThanOrEqual(floor - 0.03);
      expect(s['oob_coverage']).toBe(1);
      const p = m.predictProba(te.X);
      for (let i = 0; i < te.X.rows; i++) {
        const row = p.subarray(i * tr.y.nClasses, (i + 1) * tr.y.nClasses);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      }
    }
  });

  it('when trained on a non-linear regression, then test RMSE is below the floor and OOB R^2 is high', async () => {
    const [tr, te] = split(friedman(2000), 0.3);
    const m = await rf({ n_estimators: 60 }, 'regression').fit(tr.X, tr.y);
    expect(rmse(te.y.values, m.predict(te.X))).toBeLessThan(FLOOR.friedmanRmse);
    expect(m.summary()['oob_metric']).toBe('r2');
    expect(m.summary()['oob_score'] as number).toBeGreaterThan(0.85);
  });

  it('when saved and loaded, then predictions and summary are identical', async () => {
    const [tr, te] = split(sklearnClassification('wine_data'), 0.3);
    const m = await rf({ n_estimators: 20, max_features: 0.5, max_depth: 6 }).fit(tr.X, tr.y);
    const l = roundTrip(m);
    expect(Array.from(l.predictProba(te.X))).toEqual(Array.from(m.predictProba(te.X)));
    expect(l.summary()).toEqual(m.summary());
    expect(l.toJSON()).toEqual(m.toJSON());
  });

  it('when the seed is fixed, then the forest repeats; when it changes, then the forest changes', async () => {
    const [tr] = split(sklearnClassification('breast_cancer'), 0.3);
    const a = await rf({ n_estimators: 10, seed: 1, n_jobs: 1 }).fit(tr.X, tr.y);
    const b = await rf({ n_estimators: 10, seed: 1, n_jobs: 2 }).fit(tr.X, tr.y);
    // Breast cancer is below the size where forests start workers; a larger draw grows on two threads.
    const big = friedman(Math.ceil(PARALLEL_MIN_CELLS / 4 / 6));
    const r1 = await rf({ n_estimators: 4, max_depth: 6, seed: 1, n_jobs: 1 }, 'regression').fit(big.X, big.y);
    const r2 = await rf({ n_estimators: 4, max_depth: 6, seed: 1, n_jobs: 2 }, 'regression').fit(big.X, big.y);
    expect(r2.toJSON().state).toEqual(r1.toJSON().state);
    const c = await rf({ n_estimators: 10, seed: 2 }).fit(tr.X, tr.y);
    expect(b.toJSON().state).toEqual(a.toJSON().state);
    expect(c.toJSON().state).not.toEqual(a.toJSON().state);
  });

  it('when max_features is sqrt, log2 or a fraction, then only that many features are tried per split', async () => {
    // Only feature 0 matters; with one feature drawn per split, many splits land on noise features.
    const rng = new Rng(2);
    const n = 500;
    const cols = Array.from({ length: 9 }, () => Float64Array.from({ length: n }, () => rng.next()));
    const y = target(Array.from(cols[0]!, (v) => (v > 0.5 ? 1 : 0)), 'classification', 2);
    const X = matrix(cols);
    const share = async (mf: string | number): Promise<number> => {
      const m = await rf({ n_estimators: 20, max_features: mf, max_depth: 3, bootstrap: false }).fit(X, y);
      const split = (m.summary()['feature_importance'] as Record<string, Record<string, number>>)['split']!;
      const total = Object.values(split).reduce((a, b) => a + b, 0);
      return split['f0']! / total;
    };
    expect(await share('all')).toBeGreaterThan(0.3);
    expect(await share(1 / 9)).toBeLessThan(0.3);
    expect(await share('log2')).toBeLessThan(await share('all'));
    await expect(share('cube')).rejects.toThrow(/max_features/);
  });

  it('when a categorical feature and missing values carry the signal, then the forest uses them', async () => {
    const rng = new Rng(3);
    const n = 800;
    const c = Float64Array.from({ length: n }, () => rng.int(12));
    const x = Float64Array.from({ length: n }, () => (rng.next() < 0.3 ? NaN : rng.normal()));
    const y = target(Array.from(c, (v, i) => ((v % 3 === 0) !== (x[i] !== x[i]) ? 1 : 0)), 'classification', 2);
    const X = matrix([x, c], ['numeric', 'categorical'], [0, 12]);
    const m = await rf({ n_estimators: 30, max_features: 'all' }).fit(X, y);
    expect(accuracy(y.values, m.predict(X))).toBeGreaterThan(0.99);
    expect(m.summary()['oob_score'] as number).toBeGreaterThan(0.95);
  });

  it('when the abort signal fires, then fit rejects with ABORTED', async () => {
    const [tr] = split(sklearnClassification('breast_cancer'), 0.3);
    const ac = new AbortController();
    const fit = rf({ n_estimators: 500 }).fit(tr.X, tr.y, {
      signal: ac.signal,
      onProgress: (p) => {
        if (p.iteration === 2) ac.abort();
      },
    });
    await expect(fit).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('when the params schema is read, then every param has a type, a default and a description', () => {
    const props = randomForestSpec.paramsSchema['properties'] as Record<string, Record<string, unknown>>;
    // Every param with its type and default: a default that changes changes every model trained.
    expect(Object.fromEntries(Object.entries(props).map(([k, p]) => [k, [p['type'], p['default']]]))).toEqual({
      n_estimators: ['integer', 100],
      max_depth: ['integer', 0],
      min_samples_split: ['integer', 2],
      min_samples_leaf: ['integer', 1],
      max_leaf_nodes: ['integer', 0],
      min_impurity_decrease: ['number', 0],
      class_weight: ['string', 'none'],
      max_bin: ['integer', 256],
      max_cat_to_onehot: ['integer', 4],
      max_cat_threshold: ['integer', 64],
      seed: ['integer', 0],
      max_features: [['string',  'number'], 'auto'],
      bootstrap: ['boolean', true],
      max_samples: ['number', 1],
      oob_score: ['boolean', true],
      n_jobs: ['integer', 0],
    });
    for (const [k, p] of Object.entries(props)) expect(p['description'], k).toBeTypeOf('string');
    expect(() => rf({ max_features: 2 })).toThrow(/max_features/);
  });

  it('when a param cannot apply, then fit fails naming it, the value and what it needs', async () => {
    const fr = friedman(200);
    await expect(rf({ class_weight: 'balanced' }, 'regression').fit(fr.X, fr.y)).rejects.toThrow(/class_weight = "balanced" applies to classification only/);
    await expect(rf({ bootstrap: false, max_samples: 0.5 }, 'regression').fit(fr.X, fr.y)).rejects.toThrow(/max_samples = 0.5 needs bootstrap: true/);
    expect(() => rf({ max_features: 0 })).toThrow(/max_features = 0 is invalid: expected one of "auto", "sqrt", "log2", "all", or a number > 0 and <= 1/);
  });
});
