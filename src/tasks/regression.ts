// Regression: the target is a number, learned and predicted as it is (a target_transform step
// may reshape it for the model; predictions come back on the target's scale). The report plots
// residuals and predictions against the actual values.

import { regressionDiagnostics } from '../evaluate/diagnostics.js';
import { regressionMetrics, scoreMetrics } from '../evaluate/metrics/index.js';
import { encodeValues } from './encode.js';
import type { TaskSpec } from './spec.js';

export const regressionTask: TaskSpec = {
  name: 'regression',
  target: {
    minLabels: 0,
    claims: (target) => target.type === 'numeric',
    suggests: (target) => target.type === 'numeric',
    labels: () => [],
    encode: (frame, name, _labels, what) => encodeValues(frame, name, 'regression', what, 'set task: classification, or make the column numeric'),
  },
  metrics: regressionMetrics,
  stratify: false,
  searchMetric: 'rmse',
  headlineMetric: 'rmse',
  starter: { metrics: ['rmse', 'mae', 'r2'], gate: ['r2', '>= 0.8'] },
  baseline: {
    strategy: 'mean',
    // Every row gets the mean of the training target.
    predict(yTrain, rows) {
      let sum = 0;
      for (const v of yTrain.values) sum += v;
      return { values: new Float64Array(rows).fill(yTrain.values.length > 0 ? sum / yTrain.values.length : 0) };
    },
  },

  score: (y, { values: yPred }, metrics) => scoreMetrics('regression', { yTrue: y.values, yPred }, metrics),

  predictionColumns: ({ values }) => [{ type: 'numeric', name: 'prediction', values }],

  diagnostics: (y, { values }, _labels, seed) => regressionDiagnostics(y.values, values, { seed }),
};
