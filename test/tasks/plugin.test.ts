// A task soma does not ship, plugged in from outside the pipeline: `count` (non-negative integer
// targets, scored by the mean Poisson deviance) and a Poisson regression family that declares it.
// Registering the two is all it takes: the config schema accepts the task and its metric, the
// task is inferred from the family, and the real train, evaluate and predict functions fit, score,
// gate, record and write it, on a real CSV (test/fixtures/count/visits.csv, see make-visits.mjs).

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { buildConfigSchema } from '../../src/config/schema.js';
import { readFrame } from '../../src/data/read.js';
import type { FeatureMatrix } from '../../src/engine/matrix.js';
import { toDense } from '../../src/engine/sparse.js';
import { SomaError } from '../../src/errors.js';
import { computeMetrics, mae, type MetricFamily, type MetricInput } from '../../src/evaluate/metrics/index.js';
import { registerEstimator } from '../../src/models/catalog.js';
import type { Estimator, EstimatorJSON, EstimatorSpec } from '../../src/models/estimator.js';
import { registerBuiltinEstimators } from '../../src/models/index.js';
import { evaluate } from '../../src/pipeline/evaluate.js';
import { predict } from '../../src/pipeline/predict.js';
import { train, type TrainResult } from '../../src/pipeline/train.js';
import { encodeValues } from '../../src/tasks/encode.js';
import { registerBuiltinTasks } from '../../src/tasks/index.js';
import { inferTask } from '../../src/tasks/infer.js';
import { findTask, registerTask } from '../../src/tasks/registry.js';
import type { TaskSpec } from '../../src/tasks/spec.js';
import type { Target } from '../../src/tasks/task.js';
import type { JsonObject } from '../../src/util/json.js';
import { tempDir } from '../helpers/cli.js';

const visits = fileURLToPath(new URL('../fixtures/count/visits.csv', import.meta.url));

/** Mean Poisson deviance, 2 mean(y log(y / mu) - (y - mu)), with y log y = 0 at y = 0 (scikit-learn's definition). */
function meanPoissonDeviance(y: Float64Array, mu: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += 2 * ((y[i]! > 0 ? y[i]! * Math.log(y[i]! / mu[i]!) : 0) - (y[i]! - mu[i]!));
  return sum / y.length;
}

const countMetrics: MetricFamily = {
  task: 'count',
  target: 'values',
  // mae is regression's too: a name may be shared when the direction agrees.
  metrics: [
    { name: 'poisson_deviance', direction: 'minimize' },
    { name: 'mae', direction: 'minimize' },
  ],
  defaults: ['poisson_deviance', 'mae'],
  score: 'poisson_deviance',
  groupMetrics: ['poisson_deviance', 'mae'],
  compute(input: MetricInput, names: readonly string[]) {
    const out: Record<string, number> = {};
    for (const n of names) out[n] = n === 'mae' ? mae(input.yTrue, input.yPred) : meanPoissonDeviance(input.yTrue, input.yPred);
    return out;
  },
};

const countTask: TaskSpec = {
  name: 'count',
  target: {
    minLabels: 0,
    // A numeric target stays regression's unless the config or the model family says count.
    claims: () => false,
    suggests: () => false,
    labels: () => [],
    encode(frame, name, _labels, what) {
      const y = encodeValues(frame, name, 'count', what, 'a count target holds whole numbers >= 0');
      const bad = y.values.findIndex((v) => !(Number.isInteger(v) && v >= 0));
      if (bad >= 0) throw new SomaError('DATA_BAD_VALUE', `${what}: count target "${name}" is ${y.values[bad]} at row ${bad + 1} (expected a whole number >= 0)`);
      return y;
    },
  },
  metrics: countMetrics,
  stratify: false,
  searchMetric: 'poisson_deviance',
  headlineMetric: 'poisson_deviance',
  starter: { metrics: ['poisson_deviance', 'mae'], gate: ['poisson_deviance', '<= 1.5'] },
  score: (y, p, metrics) => ({ metrics: computeMetrics('count', { yTrue: y.values, yPred: p.values }, metrics) }),
  predictionColumns: ({ values }) => [{ type: 'numeric', name: 'expected_count', values }],
};

/** Poisson regression (log link) fitted by Newton's method with a small ridge on the weights. */
class PoissonGlm implements Estimator {
  readonly kind = 'poisson_glm';
  private names: string[] = [];
  /** Intercept first, then one weight per feature. */
  private beta = new Float64Array(1);

  constructor(readonly params: JsonObject) {}

  async fit(X: FeatureMatrix, y: Target): Promise<this> {
    if (y.task !== 'count') throw new SomaError('PARAM_INVALID', `poisson_glm: given a ${y.task} target`);
    const l2 = typeof this.params['l2'] === 'number' ? this.params['l2'] : 1e-4;
    const cols = X.columns.map(toDense);
    const p = cols.length + 1;
    const n = X.rows;
    const beta = new Float64Array(p);
    beta[0] = Math.log(y.values.reduce((s, v) => s + v, 0) / n);
    const x = (i: number, j: number): number => (j === 0 ? 1 : cols[j - 1]![i]!);
    for (let iter = 0; iter < 50; iter++) {
      const grad = new Float64Array(p);
      const hess = new Float64Array(p * p);
      for (let i = 0; i < n; i++) {
        let eta = 0;
        for (let j = 0; j < p; j++) eta += beta[j]! * x(i, j);
        const mu = Math.exp(eta);
        for (let j = 0; j < p; j++) {
          grad[j]! += (y.values[i]! - mu) * x(i, j);
          for (let k = 0; k < p; k++) hess[j * p + k]! += mu * x(i, j) * x(i, k);
        }
      }
      for (let j = 1; j < p; j++) {
        grad[j]! -= l2 * n * beta[j]!;
        hess[j * p + j]! += l2 * n;
      }
      const step = solve(hess, grad, p);
      let size = 0;
      for (let j = 0; j < p; j++) {
        beta[j]! += step[j]!;
        size = Math.max(size, Math.abs(step[j]!));
      }
      if (size < 1e-10) break;
    }
    this.names = [...X.names];
    this.beta = beta;
    return this;
  }

  predict(X: FeatureMatrix): Float64Array {
    const cols = X.columns.map(toDense);
    const out = new Float64Array(X.rows);
    for (let i = 0; i < X.rows; i++) {
      let eta = this.beta[0]!;
      for (let j = 0; j < cols.length; j++) eta += this.beta[j + 1]! * cols[j]![i]!;
      out[i] = Math.exp(eta);
    }
    return out;
  }

  coefficients(): Record<string, number> {
    return Object.fromEntries([['(intercept)', this.beta[0]!], ...this.names.map((name, j) => [name, this.beta[j + 1]!])]);
  }

  toJSON(): EstimatorJSON {
    return { kind: this.kind, formatVersion: 1, params: this.params, state: { names: this.names, beta: Array.from(this.beta) } };
  }

  static fromJSON(json: EstimatorJSON): PoissonGlm {
    const m = new PoissonGlm(json.params);
    const state = json.state as { names: string[]; beta: number[] };
    m.names = state.names;
    m.beta = Float64Array.from(state.beta);
    return m;
  }
}

/** Gaussian elimination with partial pivoting on a small dense system (a copy of `a` is reduced). */
function solve(a: Float64Array, b: Float64Array, p: number): Float64Array {
  const m = Float64Array.from(a);
  const r = Float64Array.from(b);
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let i = c + 1; i < p; i++) if (Math.abs(m[i * p + c]!) > Math.abs(m[piv * p + c]!)) piv = i;
    for (let k = 0; k < p; k++) [m[c * p + k], m[piv * p + k]] = [m[piv * p + k]!, m[c * p + k]!];
    [r[c], r[piv]] = [r[piv]!, r[c]!];
    for (let i = c + 1; i < p; i++) {
      const f = m[i * p + c]! / m[c * p + c]!;
      for (let k = c; k < p; k++) m[i * p + k]! -= f * m[c * p + k]!;
      r[i]! -= f * r[c]!;
    }
  }
  const out = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = r[i]!;
    for (let k = i + 1; k < p; k++) s -= m[i * p + k]! * out[k]!;
    out[i] = s / m[i * p + i]!;
  }
  return out;
}

const poissonGlmSpec: EstimatorSpec = {
  name: 'poisson_glm',
  description: 'Poisson regression with a log link (test family for the count task)',
  tasks: ['count'],
  paramsSchema: { type: 'object', additionalProperties: false, properties: { l2: { type: 'number', minimum: 0, default: 1e-4, description: 'Ridge penalty per row on the weights' } } },
  nativeCategorical: false,
  create: (params) => new PoissonGlm(params),
  fromJSON: (json) => PoissonGlm.fromJSON(json),
};

registerBuiltinEstimators();
registerBuiltinTasks();
registerTask(countTask);
registerEstimator(poissonGlmSpec);

function writeConfig(dir: string, extra: string): string {
  const file = path.join(dir, 'visits.yaml');
  writeFileSync(
    file,
    [
      'name: visits',
      extra,
      'seed: 7',
      'data:',
      `  source: ${JSON.stringify(visits)}`,
      '  target: visits',
      '  id: id',
      '  split: {train: 0.6, validation: 0.2, test: 0.2}',
      'model:',
      '  type: poisson_glm',
      '  params: {l2: 0.0001}',
      'evaluate:',
      '  metrics: [poisson_deviance, mae]',
      '  gates: {poisson_deviance: "<= 2"}',
      '',
    ].join('\n'),
  );
  return file;
}

describe('a task registered from outside the pipeline', () => {
  it('when the count task is registered, then the config schema lists it and its metric', () => {
    const schema = buildConfigSchema() as { properties: Record<string, { enum?: string[]; properties?: Record<string, { items?: { enum?: string[]; anyOf?: { enum?: string[] }[] } }> }> };
    expect(schema.properties['task']!.enum).toEqual(['classification', 'regression', 'recommendation', 'forecasting', 'count']);
    // Metric names: an enum, beside a pattern for metrics of top-k lists (ndcg@10).
    const items = schema.properties['evaluate']!.properties!['metrics']!.items!;
    expect([...(items.enum ?? []), ...(items.anyOf ?? []).flatMap((a) => a.enum ?? [])]).toContain('poisson_deviance');
    const dir = tempDir('soma-count-');
    expect(parseConfig(readFileSync(writeConfig(dir, 'task: count'), 'utf8'), 'visits.yaml').config.task).toBe('count');
    expect(() => parseConfig(readFileSync(writeConfig(dir, 'task: counts'), 'utf8'), 'visits.yaml')).toThrow(/counts[\s\S]*count/);
  });

  it('when a family supports only count, then findTask and inferTask find it for a numeric target', () => {
    const target = { type: 'numeric' as const, name: 'visits', values: Float64Array.from([1, 0, 3]) };
    expect(findTask('count')).toBe(countTask);
    expect(inferTask(undefined, poissonGlmSpec.tasks, target)).toBe(countTask);
    // A family of the built-in tasks still reads a numeric target as regression.
    expect(inferTask(undefined, ['classification', 'regression', 'count'], target).name).toBe('regression');
  });

  describe('when soma train runs a count config', () => {
    let dir: string;
    let registryDir: string;
    let result: TrainResult;
    beforeAll(async () => {
      dir = tempDir('soma-count-');
      registryDir = path.join(dir, 'registry');
      // No task: line; the family's only task decides.
      result = await train({ config: writeConfig(dir, '# task inferred from the model family'), registryDir, runsDir: path.join(dir, 'runs'), command: 'soma train -c visits.yaml', cwd: dir });
    });

    it('then the model fits the generating coefficients and every split is scored with the task metrics', async () => {
      expect(result.task).toBe('count');
      for (const split of ['train', 'validation', 'test'] as const) expect(Object.keys(result.metrics[split]!)).toEqual(['poisson_deviance', 'mae']);
      const model = JSON.parse(readFileSync(path.join(result.path, 'model', 'model.json'), 'utf8')) as EstimatorJSON;
      const fitted = PoissonGlm.fromJSON(model).coefficients();
      // visits ~ Poisson(exp(0.5 + 0.4 x1 - 0.3 x2)), 180 training rows.
      expect(fitted['(intercept)']).toBeCloseTo(0.5, 0);
      expect(Math.abs(fitted['x1']! - 0.4)).toBeLessThan(0.15);
      expect(Math.abs(fitted['x2']! + 0.3)).toBeLessThan(0.2);
      // Better than predicting the mean everywhere (the deviance of the null model).
      const frame = await readFrame(visits);
      const y = (frame.column('visits') as { values: Float64Array }).values;
      const mean = y.reduce((s, v) => s + v, 0) / y.length;
      expect(result.metrics.test!['poisson_deviance']!).toBeLessThan(meanPoissonDeviance(y, new Float64Array(y.length).fill(mean)));
    });

    it('then the gate on its metric is judged and the metrics, task and permutation importance are recorded', () => {
      expect(result.gates).toMatchObject([{ metric: 'poisson_deviance', op: '<=', bound: 2, split: 'test', passed: true }]);
      const metrics = JSON.parse(readFileSync(path.join(result.path, 'metrics.json'), 'utf8')) as Record<string, Record<string, unknown>>;
      expect(metrics['test']).toEqual(result.metrics.test);
      expect(metrics['confusion_matrix']).toBeUndefined();
      // Permutation importance scores the task's own score, a loss: x1 matters most.
      expect(metrics['permutation_importance']).toMatchObject({ metric: 'poisson_deviance', split: 'test' });
      const drops = metrics['permutation_importance']!['values'] as Record<string, number>;
      expect(drops['x1']!).toBeGreaterThan(drops['x2']!);
      expect(drops['x1']!).toBeGreaterThan(0);
      const metadata = JSON.parse(readFileSync(path.join(result.path, 'metadata.json'), 'utf8')) as { task: string; metrics: { test: Record<string, number> } };
      expect(metadata.task).toBe('count');
      expect(metadata.metrics.test['poisson_deviance']).toBe(result.metrics.test!['poisson_deviance']);
      const html = readFileSync(path.join(result.path, 'report.html'), 'utf8');
      expect(html).toContain('poisson_deviance');
      expect(html).not.toContain('id="charts"'); // the task contributes no charts
    });

    it('then evaluate scores any labelled file with the task metrics and predict writes the task prediction column', async () => {
      const scored = await evaluate({ ref: 'visits', data: visits, registryDir });
      expect(Object.keys(scored.metrics)).toEqual(['poisson_deviance', 'mae']);
      expect(scored.confusion_matrix).toBeUndefined();
      const output = path.join(dir, 'predicted.csv');
      const run = await predict({ ref: 'visits', input: visits, output, registryDir, workers: 0 });
      expect(run.rows).toBe(300);
      const predicted = await readFrame(output);
      expect(predicted.names).toEqual(['id', 'expected_count']);
      const counts = (predicted.column('expected_count') as { values: Float64Array }).values;
      expect(counts.every((v) => v > 0 && v < 20)).toBe(true);
    });
  });

  it('when a count target holds a negative value, then the task encoding refuses it naming the row', async () => {
    const frame = await readFrame(visits);
    const bad = frame.take(Int32Array.from([0, 1]));
    (bad.column('visits') as { values: Float64Array }).values[1] = -2;
    expect(() => countTask.target.encode(bad, 'visits', [], 'visits.csv')).toThrow(/count target "visits" is -2 at row 2/);
  });
});
