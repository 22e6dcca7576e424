// Classification: the target's labels are classes, encoded as indices in sorted label order and
// saved with the model; a prediction is a class with, for probabilistic models, one probability
// per class. Splits and folds keep the class shares, and the report draws ROC, precision-recall,
// calibration and the confusion matrix.

import { numericValues, type Column } from '../data/frame.js';
import { SomaError } from '../errors.js';
import { classificationDiagnostics } from '../evaluate/diagnostics.js';
import { classificationMetrics, confusionMatrix, scoreMetrics } from '../evaluate/metrics/index.js';
import { classLabels, encodeClasses } from './encode.js';
import type { TaskSpec } from './spec.js';

/** `soma init`: numeric targets with at most this many distinct integer values are taken as class labels. */
const MAX_CLASSES_FOR_NUMERIC = 10;
/**
 * More classes than this with fewer than MIN_ROWS_PER_CLASS rows each on average (Boston's house
 * prices read as labels: 230 classes in 368 rows) mean the values hardly repeat: not classes.
 */
const MANY_CLASSES = 20;
const MIN_ROWS_PER_CLASS = 5;
/** Labels that are numbers, but for a stray header line or two: a number to predict. */
const NUMERIC_LABEL_SHARE = 0.9;

export const classificationTask: TaskSpec = {
  name: 'classification',
  target: {
    readAs: 'categorical',
    minLabels: 2,
    claims: (target) => target.type !== 'numeric',
    suggests: (target, distinct) => target.type !== 'numeric' || (distinct <= MAX_CLASSES_FOR_NUMERIC && integral(target)),
    labels: classLabels,
    check(labels, rows, name) {
      const k = labels.length;
      if (rows < 2 || !(k >= rows || (k > MANY_CLASSES && rows < MIN_ROWS_PER_CLASS * k))) return;
      const numeric = labels.filter((l) => l.trim() !== '' && Number.isFinite(Number(l))).length >= NUMERIC_LABEL_SHARE * k;
      throw new SomaError(
        'DATA_BAD_VALUE',
        `target "${name}" has ${k} classes in ${rows} rows (${k >= rows ? 'a different value in every row' : `${(rows / k).toFixed(1)} rows a class`}): classification needs classes that repeat`,
        {
          hint: numeric
            ? `"${name}" holds numbers: to predict them, set task: regression (with data.types: {${JSON.stringify(name)}: numeric} if it reads as text); if the file has lines above its header, set data.csv.skip_rows`
            : `a target with a value per row looks like an identifier or free text; choose another target, or group its values into fewer classes`,
          details: { target: name, classes: k, rows },
        },
      );
    },
    encode: (frame, name, labels, what) => encodeClasses(frame, name, 'classification', labels, what),
  },
  metrics: classificationMetrics,
  stratify: true,
  searchMetric: 'accuracy',
  headlineMetric: 'f1_macro',
  starter: { metrics: ['accuracy', 'balanced_accuracy', 'f1_macro', 'roc_auc', 'log_loss'], gate: ['f1_macro', '>= 0.9'] },
  baseline: {
    strategy: 'majority class',
    // Every row gets the most frequent training class (the first on ties), with the training
    // class shares as its probabilities: what a model knowing nothing of the features would say.
    predict(yTrain, rows) {
      const k = yTrain.nClasses;
      const counts = new Float64Array(k);
      for (const v of yTrain.values) if (v >= 0 && v < k) counts[v]!++;
      let best = 0;
      for (let j = 1; j < k; j++) if (counts[j]! > counts[best]!) best = j;
      const total = yTrain.values.length || 1;
      const proba = new Float64Array(rows * k);
      for (let i = 0; i < rows; i++) for (let j = 0; j < k; j++) proba[i * k + j] = counts[j]! / total;
      return { values: new Float64Array(rows).fill(best), proba };
    },
  },

  score(y, { values: yPred, proba }, metrics) {
    const k = y.nClasses;
    const scored = scoreMetrics('classification', { yTrue: y.values, yPred, nClasses: k, ...(proba ? { proba } : {}) }, metrics);
    const cm = confusionMatrix(y.values, yPred, k);
    const confusion: number[][] = [];
    for (let i = 0; i < k; i++) confusion.push(Array.from(cm.subarray(i * k, (i + 1) * k)));
    return { metrics: scored.metrics, confusion, undefined: scored.undefined };
  },

  predictionColumns({ values, proba }, labels, rows) {
    const out: Column[] = [{ type: 'categorical', name: 'prediction', codes: Int32Array.from(values), dictionary: [...labels] }];
    if (proba) {
      const k = labels.length;
      labels.forEach((label, j) => {
        const col = new Float64Array(rows);
        for (let i = 0; i < rows; i++) col[i] = proba[i * k + j]!;
        out.push({ type: 'numeric', name: `proba_${label}`, values: col });
      });
    }
    return out;
  },

  diagnostics: (y, { values, proba }, labels) => classificationDiagnostics(y.values, values, proba, labels),
};

function integral(c: Column): boolean {
  return c.type === 'numeric' && numericValues(c).every((v) => Number.isNaN(v) || Number.isInteger(v));
}
