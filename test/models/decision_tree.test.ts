import { describe, expect, it } from 'vitest';
import { DecisionTree, decisionTreeSpec } from '../../src/models/decision_tree.js';
import { decodeF64, decodeI32 } from '../../src/util/base64.js';
import { accuracy, friedman, penguins, rmse, sklearnClassification, split } from '../engine/tree/datasets.js';

const roundTrip = (m: DecisionTree): DecisionTree => decisionTreeSpec.fromJSON(JSON.parse(JSON.stringify(m.toJSON()))) as DecisionTree;

describe('decision_tree', () => {
  it('when grown without limits, then it fits distinct training rows exactly', async () => {
    const { X, y } = sklearnClassification('wine_data');
    const m = await new DecisionTree({}, 'classification').fit(X, y);
    expect(accuracy(y.values, m.predict(X))).toBe(1);
    expect(m.summary()['oob_score']).toBeUndefined();
  });

  it('when trained on penguins with native categoricals and missing measurements, then held-out accuracy is at least 0.9', async () => {
    const [tr, te] = split(penguins(), 0.3);
    const m = await new DecisionTree({}, 'classification').fit(tr.X, tr.y);
    expect(accuracy(te.y.values, m.predict(te.X))).toBeGreaterThanOrEqual(0.9);
  });

  it('when max_depth is 2, then the tree is 2 deep with at most 4 leaves and still beats chance on iris', async () => {
    const [tr, te] = split(sklearnClassification('iris'), 0.3);
    const m = await decisionTreeSpec.create({ max_depth: 2 }, 'classification').fit(tr.X, tr.y);
    const s = m.summary!();
    expect(s['depth']).toBe(2);
    expect(s['leaves'] as number).toBeLessThanOrEqual(4);
    expect(accuracy(te.y.values, m.predict(te.X))).toBeGreaterThanOrEqual(0.88);
  });

  it('when min_samples_leaf is 20, then every leaf covers at least 20 rows', async () => {
    const fr = friedman(1000);
    const m = await new DecisionTree({ min_samples_leaf: 20 }, 'regression').fit(fr.X, fr.y);
    const f = (m.toJSON().state as { forest: { cover: string; feature: string } }).forest;
    const cover = decodeF64(f.cover);
    const feature = decodeI32(f.feature);
    let leaves = 0;
    feature.forEach((v, i) => {
      if (v < 0) {
        leaves++;
        expect(cover[i]).toBeGreaterThanOrEqual(20);
      }
    });
    expect(leaves).toBeGreaterThan(10);
  });

  it('when saved and loaded, then regression predictions are identical and reasonable', async () => {
    const [tr, te] = split(friedman(2000), 0.3);
    const m = await new DecisionTree({ min_samples_leaf: 5 }, 'regression').fit(tr.X, tr.y);
    const pred = m.predict(te.X);
    expect(Array.from(roundTrip(m).predict(te.X))).toEqual(Array.from(pred));
    expect(rmse(te.y.values, pred)).toBeLessThan(3);
    expect(decisionTreeSpec.paramsSchema['additionalProperties']).toBe(false);
  });
});
