// The trivial baseline every `soma train` scores beside the model: the task's own guess from the
// training target alone (majority class, mean; TaskSpec.baseline), on the same splits with the
// same metrics, and whether the model beats it on the held-out split the gates judge. A model
// that does not is no better than guessing: train says so loudly, and with
// `evaluate.baseline: required` it is refused like a failed gate.

import { metricDirection } from '../evaluate/metrics/index.js';
import type { JsonObject } from '../util/json.js';
import type { Predictions, TaskSpec } from '../tasks/spec.js';
import type { Target } from '../tasks/task.js';
import type { GateResult } from './gates.js';

/** One scored split: its target and the model's predictions on it. */
export interface BaselineSplit {
  y: Target;
  model: Predictions;
}

export interface BaselineResult {
  strategy: string;
  /** The metric the model must beat it on: the task's headline metric. */
  metric: string;
  /** The held-out split compared on (test, else validation); null when there is none. */
  split: string | null;
  /** `metric` of the model and of the baseline on `split` (null when not computed there). */
  model: number | null;
  baseline: number | null;
  /** Whether the model is strictly better than the baseline on `split`; null when they cannot be compared. */
  beaten: boolean | null;
  /** The baseline's metrics by split, as the model's. */
  metrics: Record<string, Record<string, number>>;
}

/**
 * Scores the task's baseline on every split with `metricNames` (plus the comparison metric), and
 * compares it with the model on `compareOn`. Undefined when the task has no baseline.
 */
export function scoreBaseline(
  task: TaskSpec,
  yTrain: Target,
  splits: Readonly<Record<string, BaselineSplit | undefined>>,
  metricNames: readonly string[] | undefined,
  compareOn: string,
): BaselineResult | undefined {
  const spec = task.baseline;
  if (!spec) return undefined;
  const metric = task.headlineMetric;
  const names = metricNames === undefined ? undefined : [...new Set([...metricNames, metric])];
  const metrics: Record<string, Record<string, number>> = {};
  let model: number | null = null;
  let baseline: number | null = null;
  for (const [name, split] of Object.entries(splits)) {
    if (!split || split.y.values.length === 0) continue;
    const guessed = task.score(split.y, spec.predict(yTrain, split.y.values.length), names).metrics;
    metrics[name] = metricNames === undefined ? guessed : pick(guessed, metricNames);
    if (name === compareOn) {
      baseline = guessed[metric] ?? null;
      model = task.score(split.y, split.model, [metric]).metrics[metric] ?? null;
    }
  }
  const comparable = model !== null && baseline !== null && compareOn in metrics;
  const better = metricDirection(metric) === 'maximize' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  return {
    strategy: spec.strategy,
    metric,
    split: compareOn in metrics ? compareOn : null,
    model,
    baseline,
    beaten: comparable ? better(model!, baseline!) : null,
    metrics,
  };
}

function pick(m: Record<string, number>, names: readonly string[]): Record<string, number> {
  return Object.fromEntries(names.filter((n) => m[n] !== undefined).map((n) => [n, m[n]!]));
}

/** `evaluate.baseline: required` as a gate: the model's metric must be strictly better than the baseline's. */
export function baselineGate(b: BaselineResult): GateResult {
  const maximize = metricDirection(b.metric) === 'maximize';
  return {
    metric: b.metric,
    op: maximize ? '>' : '<',
    bound: b.baseline,
    value: b.model,
    split: b.split ?? 'none',
    passed: b.beaten === true,
    note: b.beaten === null ? `no held-out split to compare the ${b.strategy} baseline on` : `the ${b.strategy} baseline`,
  };
}

/** The warning when the model does not beat its baseline, naming both numbers and the setting that refuses such a model. */
export function baselineWarning(b: BaselineResult): string | undefined {
  if (b.beaten !== false) return undefined;
  return (
    `the model does not beat the ${b.strategy} baseline: ${b.metric} ${fmt(b.model)} against ${fmt(b.baseline)} on ${b.split} ` +
    `(it is no better than guessing; check the data, the target and the features, or set evaluate.baseline: required to refuse such a model)`
  );
}

/** One line for train's output: the baseline's metric beside the model's. */
export function baselineLine(b: BaselineResult): string {
  if (b.split === null) return `baseline (${b.strategy}): no held-out split to compare on`;
  const verdict = b.beaten === true ? 'beaten' : b.beaten === false ? 'NOT BEATEN' : 'not compared';
  return `baseline (${b.strategy}) ${b.metric} on ${b.split}: ${fmt(b.baseline)}; model ${fmt(b.model)}: ${verdict}`;
}

/** metrics.json's `baseline`. */
export function baselineJson(b: BaselineResult): JsonObject {
  return { strategy: b.strategy, metric: b.metric, split: b.split, model: b.model, baseline: b.baseline, beaten: b.beaten, ...b.metrics };
}

function fmt(v: number | null): string {
  return v === null ? 'not computed' : v.toPrecision(4);
}
