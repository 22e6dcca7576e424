// The metric registry: every metric family by the task it scores, and every metric by name with
// its direction and whether it needs probabilities. `computeMetrics` is the façade train,
// evaluate, search, permutation importance and fairness call by task and metric name. The
// classification and regression families are registered here; a task spec registering its own
// family (tasks/registry.ts) adds its metrics to the same lists.
//
// A name may belong to several families (a forecasting family reusing `mae`) when they agree on
// its direction and on whether it needs probabilities, so `metricDirection` needs no task.

import { SomaError } from '../../errors.js';
import type { Task } from '../../tasks/task.js';
import { classificationMetrics } from './classification.js';
import { closest } from './closest.js';
import type { Direction, MetricFamily, MetricInput, MetricSpec } from './family.js';
import { regressionMetrics } from './regression.js';

const families = new Map<Task, MetricFamily>();
const byName = new Map<string, MetricSpec>();

/** Adds a family; registering the same object again is a no-op, a second family for a task an error. */
export function registerMetricFamily(family: MetricFamily): void {
  const existing = families.get(family.task);
  if (existing === family) return;
  if (existing) throw new SomaError('INTERNAL', `metrics for task ${family.task} registered twice`);
  const own = new Set(family.metrics.map((m) => m.name));
  if (own.size !== family.metrics.length) throw new SomaError('INTERNAL', `metrics of task ${family.task}: a name is listed twice`);
  for (const [what, names] of [['defaults', family.defaults], ['score', [family.score]], ['groupMetrics', family.groupMetrics]] as const) {
    const stray = names.filter((n) => !own.has(n));
    if (stray.length > 0) throw new SomaError('INTERNAL', `metrics of task ${family.task}: ${what} names ${stray.join(', ')}, not among its metrics (${[...own].join(', ')})`);
  }
  for (const m of family.metrics) {
    const known = byName.get(m.name);
    if (known && (known.direction !== m.direction || Boolean(known.needsProba) !== Boolean(m.needsProba))) {
      throw new SomaError('INTERNAL', `metric ${m.name} of task ${family.task} disagrees with its earlier registration (direction ${known.direction}${known.needsProba ? ', needs probabilities' : ''})`);
    }
  }
  families.set(family.task, family);
  for (const m of family.metrics) if (!byName.has(m.name)) byName.set(m.name, m);
}

for (const f of [classificationMetrics, regressionMetrics]) registerMetricFamily(f);

/**
 * The registered spec of a metric name: itself, or for `ndcg@10` (a metric of top-k lists at
 * k = 10) the family's `ndcg@k`.
 */
function specOf(name: string): MetricSpec | undefined {
  return byName.get(name) ?? byName.get(atKName(name) ?? '');
}

/** `ndcg@10` -> `ndcg@k`; undefined for names without an `@N` suffix. */
export function atKName(name: string): string | undefined {
  const m = /^(.+)@[1-9]\d{0,5}$/.exec(name);
  return m ? `${m[1]}@k` : undefined;
}

/** The metric family of a task; CONFIG_INVALID naming the tasks that have one. */
export function metricFamily(task: Task): MetricFamily {
  const f = families.get(task);
  if (!f) throw new SomaError('CONFIG_INVALID', `no metrics for task "${task}" (tasks with metrics: ${[...families.keys()].join(', ')})`);
  return f;
}

/** A task's metric names in report order, or every known metric name (each once) without a task. */
export function metricNames(task?: Task): string[] {
  return task === undefined ? [...byName.keys()] : metricFamily(task).metrics.map((m) => m.name);
}

export function isMetricName(name: string): boolean {
  return specOf(name) !== undefined;
}

/** Whether a larger value of the metric is better; throws CONFIG_INVALID for an unknown name. */
export function metricDirection(name: string): Direction {
  const m = specOf(name);
  if (!m) throw unknownMetric(name, undefined);
  return m.direction;
}

/** Whether the metric is computed from class probabilities (false for unknown names). */
export function metricNeedsProba(name: string): boolean {
  return specOf(name)?.needsProba === true;
}

function unknownMetric(name: string, task: Task | undefined): SomaError {
  const known = metricNames(task);
  const otherTask = task !== undefined && specOf(name) !== undefined;
  const message = otherTask
    ? `metric "${name}" is not a ${task} metric (expected one of: ${known.join(', ')})`
    : `unknown metric "${name}"${task === undefined ? '' : ` for ${task}`} (expected one of: ${known.join(', ')})`;
  const near = closest(name, known);
  return new SomaError('CONFIG_INVALID', message, {
    ...(near === undefined ? {} : { hint: `did you mean "${near}"?` }),
    details: { metric: name, known, ...(task === undefined ? {} : { task }) },
  });
}

/** Checks `names` against the task's metrics (default: its defaults); unknown names throw CONFIG_INVALID. */
export function resolveMetricNames(task: Task, names?: readonly string[]): string[] {
  const family = metricFamily(task);
  if (names === undefined) return [...family.defaults];
  const known = new Set(family.metrics.map((m) => m.name));
  const out: string[] = [];
  for (const name of names) {
    if (!known.has(name) && !known.has(atKName(name) ?? '')) throw unknownMetric(name, task);
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * The named metrics of a task (default: its family's defaults) as `{name: value}` in the order
 * asked. Undefined metrics are omitted, and so are probability metrics when `proba` is absent,
 * so the record is always JSON-safe. Sample weights apply to every metric.
 */
export function computeMetrics(task: Task, input: MetricInput, names?: readonly string[]): Record<string, number> {
  const wanted = resolveMetricNames(task, names);
  const computable = input.proba === undefined ? wanted.filter((n) => !metricNeedsProba(n)) : wanted;
  return metricFamily(task).compute(input, computable);
}

/** A task's metrics of one split, with the ones that mean nothing on this data set apart. */
export interface ScoredMetrics {
  /** `{name: value}` in the order asked, as computeMetrics, without the undefined ones. */
  metrics: Record<string, number>;
  /** Metric name -> why it is undefined on this data (MetricSpec.undefinedFor). */
  undefined: Record<string, string>;
}

/**
 * computeMetrics for reporting: a metric whose spec says it is meaningless on this data (MAPE
 * over a zero target) is left out of `metrics` and named with its reason in `undefined`, so
 * train, evaluate and search never print or compare a number like 3e13.
 */
export function scoreMetrics(task: Task, input: MetricInput, names?: readonly string[]): ScoredMetrics {
  const metrics = computeMetrics(task, input, names);
  const undefinedMetrics: Record<string, string> = {};
  for (const name of resolveMetricNames(task, names)) {
    const why = byName.get(name)?.undefinedFor?.(input);
    if (why === undefined) continue;
    undefinedMetrics[name] = why;
    delete metrics[name];
  }
  return { metrics, undefined: undefinedMetrics };
}
