import { describe, expect, it } from 'vitest';
import { Gbdt, gbdtSpec } from '../../src/models/gbdt.js';
import { PARALLEL_MIN_CELLS } from '../../src/engine/tree/training.js';
import { SomaError } from '../../src/errors.js';
import type { Progress } from '../../src/models/estimator.js';
import { Rng } from '../../src/engine/random.js';
import { accuracy, auc, friedman, matrix, penguins, rmse, sklearnClassification, split, target } from '../engine/tree/datasets.js';

// Quality floors on held-out 30% splits (seed 1). scikit-learn's HistGradientBoosting reaches about
// the same on these splits; the floors leave a little room for different bin edges.
const FLOOR = { iris: 0.9, wine: 0.93, breastAccuracy: 0.93, breastAuc: 0.98, penguins: 0.95, friedmanRmse: 1.2 };

const roundTrip = (m: Gbdt): Gbdt => gbdtSpec.fromJSON(JSON.parse(JSON.stringify(m.toJSON()))) as Gbdt;

/** Two numeric features (one with missing values) and one categorical; three classes. */
function mixed(n: number, seed = 2) {
  const rng = new Rng(seed);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const c = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = rng.normal();
    b[i] = rng.next() < 0.2 ? NaN : rng.normal();
    c[i] = rng.int(8);
    const s = a[i]! + ([1, 4, 6].includes(c[i]!) ? 1.5 : 0) + (b[i]! !== b[i]! ? -1 : 0);
    y[i] = s < 0 ? 0 : s < 1.2 ? 1 : 2;
  }
  return { X: matrix([a, b, c], ['numeric', 'numeric', 'categorical'], [0, 0, 8]), y: target(y, 'classification', 3) };
}

describe('gbdt', () => {
  it('when trained on iris, wine and breast cancer, then held-out quality is above the floors', async () => {
    for (const [file, floor] of [['iris', FLOOR.iris], ['wine_data', FLOOR.wine]] as const) {
      const [tr, te] = split(sklearnClassification(file), 0.3);
      const m = await new Gbdt({ n_estimators: 100, learning_rate: 0.1 }, 'classification').fit(tr.X, tr.y);
      expect(accuracy(te.y.values, m.predict(te.X))).toBeGreaterThanOrEqual(floor);
    }
    const [tr, te] = split(sklearnClassification('breast_cancer'), 0.3);
    const m = await new Gbdt({ n_estimators: 100, learning_rate: 0.1 }, 'classification').fit(tr.X, tr.y);
    expect(accuracy(te.y.values, m.predict(te.X))).toBeGreaterThanOrEqual(FLOOR.breastAccuracy);
    const p = m.predictProba(te.X);
    expect(p.length).toBe(te.X.rows * 2);
    expect(auc(te.y.values, p.filter((_, i) => i % 2 === 1))).toBeGreaterThanOrEqual(FLOOR.breastAuc);
  });

  it('when trained on penguins with island and sex as native categoricals and missing measurements, then held-out accuracy is above the floor', async () => {
    const [tr, te] = split(penguins(), 0.3);
    const m = await new Gbdt({ n_estimators: 100, learning_rate: 0.1 }, 'classification').fit(tr.X, tr.y);
    expect(accuracy(te.y.values, m.predict(te.X))).toBeGreaterThanOrEqual(FLOOR.penguins);
  });

  it('when trained on a non-linear regression, then test RMSE beats the floor and the mean predictor', async () => {
    const [tr, te] = split(friedman(3000), 0.3);
    const m = await new Gbdt({ n_estimators: 200, learning_rate: 0.1 }, 'regression').fit(tr.X, tr.y);
    const err = rmse(te.y.values, m.predict(te.X));
    const mean = te.y.values.reduce((s, v) => s + v, 0) / te.X.rows;
    expect(err).toBeLessThan(FLOOR.friedmanRmse);
    expect(err).toBeLessThan(0.3 * rmse(te.y.values, new Float64Array(te.X.rows).fill(mean)));
  });

  it('when saved and loaded, then predictions are identical (binary, multiclass with categoricals and missing, regression)', async () => {
    const [tr, te] = split(sklearnClassification('breast_cancer'), 0.3);
    const bin = await new Gbdt({ n_estimators: 30, subsample: 0.8, colsample_bytree: 0.7, seed: 3 }, 'classification').fit(tr.X, tr.y);
    expect(Array.from(roundTrip(bin).predictProba(te.X))).toEqual(Array.from(bin.predictProba(te.X)));
    const mx = mixed(1500);
    const multi = await new Gbdt({ n_estimators: 20 }, 'classification').fit(mx.X, mx.y);
    const probe = { ...mx.X, rows: 3, columns: [Float64Array.of(0, 1, NaN), Float64Array.of(NaN, 0, 1), Float64Array.of(12, NaN, 4)] };
    const loaded = roundTrip(multi);
    expect(Array.from(loaded.predictProba(mx.X))).toEqual(Array.from(multi.predictProba(mx.X)));
    expect(Array.from(loaded.predictProba(probe))).toEqual(Array.from(multi.predictProba(probe)));
    const fr = friedman(500);
    const reg = await new Gbdt({ n_estimators: 20, objective: 'reg:absoluteerror' }, 'regression').fit(fr.X, fr.y);
    expect(Array.from(roundTrip(reg).predict(fr.X))).toEqual(Array.from(reg.predict(fr.X)));
    expect(roundTrip(reg).summary()).toEqual(reg.summary());
  });

  it('when a categorical feature decides the class, then a native split separates its categories', async () => {
    const rng = new Rng(4);
    const n = 600;
    const c = Float64Array.from({ length: n }, () => rng.int(10));
    const noise = Float64Array.from({ length: n }, () => rng.next());
    const y = target(Array.from(c, (v) => ([1, 4, 7].includes(v) ? 1 : 0)), 'classification', 2);
    // The dictionary knows 12 categories; codes 10 and 11 have no training rows.
    const X = matrix([noise, c], ['numeric', 'categorical'], [0, 12]);
    const m = await new Gbdt({ n_estimators: 5, max_depth: 1, learning_rate: 0.5 }, 'classification').fit(X, y);
    expect(accuracy(y.values, m.predict(X))).toBe(1);
    expect(m.featureImportance()!.values[1]).toBeGreaterThan(m.featureImportance()!.values[0]!);
    // Unseen, absent-from-training and missing codes take the default direction rather than failing.
    const probe = matrix([Float64Array.of(0.5, 0.5, 0.5), Float64Array.of(25, NaN, 11)], ['numeric', 'categorical'], [0, 12]);
    const p = m.predictProba(probe);
    expect(p[0]).toBeCloseTo(p[2]!, 12);
    expect(p[4]).toBeCloseTo(p[2]!, 12);
  });

  it('when a categorical feature has more categories than max_bin, then its frequent categories still split apart', async () => {
    // 300 codes: 0..19 carry most rows and decide the class; 20..299 are rare noise. Before the cap
    // kept frequent categories, codes past max_bin - 1 fell into the missing bin.
    const rng = new Rng(9);
    const n = 6000;
    const c = Float64Array.from({ length: n }, () => (rng.next() < 0.9 ? 280 + rng.int(20) : rng.int(280)));
    const y = target(Array.from(c, (v) => (v >= 280 && v % 2 === 0 ? 1 : 0)), 'classification', 2);
    const X = matrix([c], ['categorical'], [300]);
    const m = await new Gbdt({ n_estimators: 20, max_depth: 3, max_bin: 64, learning_rate: 0.5 }, 'classification').fit(X, y);
    const frequent = Array.from({ length: n }, (_, i) => i).filter((i) => c[i]! >= 280);
    const pred = m.predict(X);
    expect(frequent.every((i) => pred[i] === y.values[i])).toBe(true);
  });

  it('when missingness itself predicts the class, then the default direction learns it', async () => {
    const rng = new Rng(6);
    const n = 400;
    const y = Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 0));
    const x = Float64Array.from(y, (v) => (v === 1 ? NaN : rng.normal()));
    const m = await new Gbdt({ n_estimators: 10, max_depth: 2 }, 'classification').fit(matrix([x]), target(y, 'classification', 2));
    expect(accuracy(Float64Array.from(y), m.predict(matrix([x])))).toBe(1);
  });

  it('when early stopping fires, then the best iteration is kept, used after loading, and equals a shorter fit', async () => {
    const [tr, va] = split(sklearnClassification('breast_cancer'), 0.3, 5);
    const progress: Progress[] = [];
    const params = { n_estimators: 500, learning_rate: 0.3, early_stopping_rounds: 5 };
    const m = await new Gbdt(params, 'classification').fit(tr.X, tr.y, { validation: va, onProgress: (p) => progress.push(p) });
    const s = m.summary();
    const best = s['best_iteration'] as number;
    expect(s['iterations']).toBe(best + 5);
    expect(progress.length).toBe(best + 5);
    expect(progress[0]).toMatchObject({ iteration: 1, total: 500, metric: 'logloss' });
    expect(progress[best - 1]!.validation).toBe(Math.min(...progress.map((p) => p.validation!)));
    const short = await new Gbdt({ n_estimators: best, learning_rate: 0.3 }, 'classification').fit(tr.X, tr.y);
    expect(Array.from(roundTrip(m).predictProba(va.X))).toEqual(Array.from(short.predictProba(va.X)));
  });

  it('when progress reads the train metric, then it is that round\'s, and the summary keeps the last round\'s', async () => {
    const [tr] = split(sklearnClassification('breast_cancer'), 0.3, 5);
    const trains: number[] = [];
    const m = await new Gbdt({ n_estimators: 20, learning_rate: 0.3 }, 'classification').fit(tr.X, tr.y, { onProgress: (p) => trains.push(p.train!) });
    expect(trains.length).toBe(20);
    expect(trains[19]!).toBeLessThan(trains[0]!);
    expect(m.summary()['final_train_metric']).toBe(trains[19]);
    const p = m.predictProba(tr.X);
    let logloss = 0;
    for (let i = 0; i < tr.X.rows; i++) logloss -= Math.log(p[2 * i + tr.y.values[i]!]!);
    expect(trains[19]!).toBeCloseTo(logloss / tr.X.rows, 9);
    // Without a progress callback the summary still has it.
    expect((await new Gbdt({ n_estimators: 20, learning_rate: 0.3 }, 'classification').fit(tr.X, tr.y)).summary()['final_train_metric']).toBe(trains[19]);
  });

  it('when the abort signal fires during training, then fit rejects with ABORTED', async () => {
    const fr = friedman(500);
    const ac = new AbortController();
    const fit = new Gbdt({ n_estimators: 1000 }, 'regression').fit(fr.X, fr.y, {
      signal: ac.signal,
      onProgress: (p) => {
        if (p.iteration === 3) ac.abort();
      },
    });
    await expect(fit).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('when n_jobs differs, then the same seed gives the identical model', async () => {
    // Large enough (rows x features >= PARALLEL_MIN_CELLS) that n_jobs 2 really runs two threads.
    const fr = friedman(Math.ceil(PARALLEL_MIN_CELLS / 6));
    const p = { n_estimators: 6, subsample: 0.7, colsample_bytree: 0.6, seed: 9 };
    const a = await new Gbdt({ ...p, n_jobs: 1 }, 'regression').fit(fr.X, fr.y);
    const b = await new Gbdt({ ...p, n_jobs: 2 }, 'regression').fit(fr.X, fr.y);
    expect(b.toJSON().state).toEqual(a.toJSON().state);
  });

  it('when objectives for counts and outliers are chosen, then predictions follow their targets', async () => {
    const rng = new Rng(8);
    const n = 2000;
    const x = Float64Array.from({ length: n }, () => rng.next() * 2);
    // Poisson counts with mean exp(x).
    const counts = Array.from(x, (v) => {
      let k = 0;
      let p = Math.exp(-Math.exp(v));
      let s = p;
      const u = rng.next();
      while (u > s) {
        k++;
        p *= Math.exp(v) / k;
        s += p;
      }
      return k;
    });
    const pois = await new Gbdt({ objective: 'count:poisson', n_estimators: 100, learning_rate: 0.1, max_depth: 3 }, 'regression').fit(matrix([x]), target(counts, 'regression'));
    const pred = pois.predict(matrix([Float64Array.of(0.1, 1.9)]));
    expect(pred[0]).toBeGreaterThan(0.7);
    expect(pred[0]).toBeLessThan(1.6);
    expect(pred[1]).toBeGreaterThan(4.5);
    expect(pred[1]).toBeLessThan(8.5);
    // Absolute error ignores a few huge outliers that drag squared error away.
    const y = Array.from(x, (v, i) => v + (i % 50 === 0 ? 1000 : 0));
    const mae = await new Gbdt({ objective: 'reg:absoluteerror', n_estimators: 50, learning_rate: 0.3, max_depth: 2 }, 'regression').fit(matrix([x]), target(y, 'regression'));
    const sq = await new Gbdt({ objective: 'reg:squarederror', n_estimators: 50, learning_rate: 0.3, max_depth: 2 }, 'regression').fit(matrix([x]), target(y, 'regression'));
    const probe = matrix([Float64Array.of(1)]);
    expect(Math.abs(mae.predict(probe)[0]! - 1)).toBeLessThan(0.2);
    expect(Math.abs(sq.predict(probe)[0]! - 1)).toBeGreaterThan(5);
    const hub = await new Gbdt({ objective: 'huber', huber_delta: 1, n_estimators: 200, learning_rate: 0.3, max_depth: 2 }, 'regression').fit(matrix([x]), target(y, 'regression'));
    expect(Math.abs(hub.predict(probe)[0]! - 1)).toBeLessThan(1);
  });

  it('when classes are imbalanced, then balanced class weights raise minority recall and weights of zero mute rows', async () => {
    const rng = new Rng(12);
    const n = 2000;
    const x = Float64Array.from({ length: n }, () => rng.normal());
    const y = Array.from(x, (v) => (v + rng.normal() > 2.2 ? 1 : 0));
    const X = matrix([x]);
    const Y = target(y, 'classification', 2);
    const recall = (m: Gbdt): number => {
      const p = m.predict(X);
      let tp = 0;
      let pos = 0;
      y.forEach((v, i) => {
        if (v === 1) {
          pos++;
          if (p[i] === 1) tp++;
        }
      });
      return tp / pos;
    };
    const plain = await new Gbdt({ n_estimators: 30, max_depth: 2 }, 'classification').fit(X, Y);
    const balanced = await new Gbdt({ n_estimators: 30, max_depth: 2, class_weight: 'balanced' }, 'classification').fit(X, Y);
    expect(recall(balanced)).toBeGreaterThan(recall(plain) + 0.2);
    // Flip the labels of half the rows but give them zero weight: the model must not notice.
    const flipped = target(y.map((v, i) => (i % 2 === 0 ? 1 - v : v)), 'classification', 2);
    const w = Float64Array.from(y, (_, i) => (i % 2 === 0 ? 0 : 1));
    const muted = await new Gbdt({ n_estimators: 30, max_depth: 2 }, 'classification').fit(X, flipped, { sampleWeight: w });
    expect(accuracy(Float64Array.from(y), muted.predict(X))).toBeGreaterThan(0.9);
  });

  it('when leaf-wise growth is chosen, then no tree exceeds num_leaves', async () => {
    const fr = friedman(1000);
    const m = await new Gbdt({ grow_policy: 'lossguide', num_leaves: 5, max_depth: 0, n_estimators: 10 }, 'regression').fit(fr.X, fr.y);
    const s = m.summary();
    expect(s['nodes']).toBe(10 * 9);
    const imp = s['feature_importance'] as Record<string, Record<string, number>>;
    expect(Object.values(imp['split']!).reduce((a, b) => a + b, 0)).toBe(40);
  });

  it('when gradients are quantized or exact, then held-out quality is the same within a hair', async () => {
    const [tr, te] = split(sklearnClassification('breast_cancer'), 0.3);
    const score = async (q: boolean): Promise<number> => {
      const m = await new Gbdt({ n_estimators: 100, learning_rate: 0.1, quantized_gradients: q }, 'classification').fit(tr.X, tr.y);
      return auc(te.y.values, m.predictProba(te.X).filter((_, i) => i % 2 === 1));
    };
    expect(Math.abs((await score(true)) - (await score(false)))).toBeLessThan(0.01);
  });

  it('when no feature varies, then the model predicts the base rate', async () => {
    const X = matrix([new Float64Array(50).fill(3), new Float64Array(50).fill(NaN)]);
    const y = target(Array.from({ length: 50 }, (_, i) => (i < 10 ? 1 : 0)), 'classification', 2);
    const m = await new Gbdt({ n_estimators: 5 }, 'classification').fit(X, y);
    expect(m.predictProba(X)[1]).toBeCloseTo(0.2, 12);
    expect(m.summary()['nodes']).toBe(5);
  });

  it('when base_score is given, then every objective starts from it on the response scale', async () => {
    const fr = friedman(300);
    // One round at a negligible learning rate predicts (almost) the starting score itself.
    const tiny = { n_estimators: 1, learning_rate: 1e-12 };
    const reg = await new Gbdt({ ...tiny, base_score: 10 }, 'regression').fit(fr.X, fr.y);
    expect(reg.predict(fr.X)[0]).toBeCloseTo(10, 9);
    const counts = target(Array.from({ length: 300 }, (_, i) => i % 5), 'regression');
    const pois = await new Gbdt({ ...tiny, objective: 'count:poisson', base_score: 4 }, 'regression').fit(fr.X, counts);
    expect(pois.predict(fr.X)[7]).toBeCloseTo(4, 9);
    const y = target(Array.from({ length: 300 }, (_, i) => i % 2), 'classification', 2);
    const bin = await new Gbdt({ ...tiny, base_score: 0.3 }, 'classification').fit(fr.X, y);
    expect(bin.predictProba(fr.X)[1]).toBeCloseTo(0.3, 9);
    expect(roundTrip(bin).predictProba(fr.X)[1]).toBe(bin.predictProba(fr.X)[1]);
    // Fitted from the data when null (the default): half the rows are positive.
    const fitted = await new Gbdt({ ...tiny, base_score: null }, 'classification').fit(fr.X, y);
    expect(fitted.predictProba(fr.X)[1]).toBeCloseTo(0.5, 9);
  });

  it('when base_score is outside what the objective accepts, then fit fails naming it, the value and the range', async () => {
    const fr = friedman(100);
    const y = target(Array.from({ length: 100 }, (_, i) => i % 2), 'classification', 2);
    await expect(new Gbdt({ base_score: 1.5 }, 'classification').fit(fr.X, y)).rejects.toThrow(/base_score = 1.5 is invalid for objective binary_logistic: expected a probability strictly between 0 and 1/);
    await expect(new Gbdt({ objective: 'count:poisson', base_score: 0 }, 'regression').fit(fr.X, target(new Array(100).fill(1), 'regression'))).rejects.toThrow(/expected a mean count > 0/);
    const three = target(Array.from({ length: 100 }, (_, i) => i % 3), 'classification', 3);
    await expect(new Gbdt({ base_score: 0.5 }, 'classification').fit(fr.X, three)).rejects.toThrow(/objective softmax: expected null/);
    expect(() => new Gbdt({ base_score: 'mean' }, 'regression')).toThrow(/base_score = "mean" is invalid: expected a number, or null/);
  });

  it('when a param cannot apply to the task or the data, then fit fails or warns naming it', async () => {
    const fr = friedman(200);
    await expect(new Gbdt({ class_weight: 'balanced' }, 'regression').fit(fr.X, fr.y)).rejects.toThrow(/class_weight = "balanced" applies to classification only/);
    await expect(new Gbdt({ scale_pos_weight: 3 }, 'regression').fit(fr.X, fr.y)).rejects.toThrow(/scale_pos_weight = 3 applies to binary classification only \(objective is squared_error\)/);
    const three = target(Array.from({ length: 200 }, (_, i) => i % 3), 'classification', 3);
    await expect(new Gbdt({ scale_pos_weight: 3, n_estimators: 2 }, 'classification').fit(fr.X, three)).rejects.toThrow(/objective is softmax/);
    const m = await new Gbdt({ early_stopping_rounds: 5, n_estimators: 7 }, 'regression').fit(fr.X, fr.y);
    expect(m.warnings()).toEqual([expect.stringMatching(/early_stopping_rounds = 5 had no effect: the fit had no validation data .* all 7 rounds were grown/)]);
    const [tr, va] = split(fr, 0.3);
    expect((await new Gbdt({ early_stopping_rounds: 5, n_estimators: 7 }, 'regression').fit(tr.X, tr.y, { validation: va })).warnings()).toEqual([]);
  });

  it('when params are unknown or out of range, then creation fails naming the parameter', () => {
    expect(() => new Gbdt({ n_trees: 5 }, 'regression')).toThrow(/unknown parameter "n_trees"/);
    expect(() => new Gbdt({ learning_rate: 0 }, 'regression')).toThrow(/learning_rate = 0 is invalid: expected a number > 0 and <= 1/);
    expect(() => new Gbdt({ max_depth: 2.5 }, 'regression')).toThrow(/max_depth = 2.5 is invalid: expected an integer >= 0 and <= 64/);
    expect(gbdtSpec.aliases).toContain('xgboost');
    const props = gbdtSpec.paramsSchema['properties'] as Record<string, Record<string, unknown>>;
    // Every param with its type and default: a default that changes changes every model trained.
    // Since issue #17, HistGradientBoosting's defaults (bench/RESULTS.md, "Defaults on small real data").
    expect(Object.fromEntries(Object.entries(props).map(([k, p]) => [k, [p['type'], p['default']]]))).toEqual({
      objective: ['string', 'auto'],
      n_estimators: ['integer', 100],
      learning_rate: ['number', 0.1],
      max_depth: ['integer', 0],
      grow_policy: ['string', 'lossguide'],
      num_leaves: ['integer', 31],
      min_child_weight: ['number', 0.001],
      min_samples_leaf: ['integer', 20],
      reg_lambda: ['number', 0],
      reg_alpha: ['number', 0],
      gamma: ['number', 0],
      subsample: ['number', 1],
      colsample_bytree: ['number', 1],
      max_bin: ['integer', 256],
      max_cat_to_onehot: ['integer', 4],
      max_cat_threshold: ['integer', 64],
      huber_delta: ['number', 1],
      scale_pos_weight: ['number', 1],
      class_weight: ['string', 'none'],
      base_score: [['number',  'null'], null],
      quantized_gradients: [['boolean', 'string'], 'auto'],
      early_stopping_rounds: ['integer', 0],
      seed: ['integer', 0],
      n_jobs: ['integer', 0],
    });
    for (const [k, p] of Object.entries(props)) expect(p['description'], k).toBeTypeOf('string');
  });
});
