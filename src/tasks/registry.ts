// The task registry, by name (LightGBM's objective factory): `findTask` maps a name to its spec
// and reports an unknown name with the accepted ones; everything else asks the spec. Registering
// a task checks that its spec is self-consistent and adds its metrics to the metric registry, so
// the config schema, `soma validate`, gates and `compare` know them.

import { SomaError } from '../errors.js';
import { atKName, registerMetricFamily } from '../evaluate/metrics/index.js';
import type { TaskSpec } from './spec.js';
import type { Task } from './task.js';

const specs: TaskSpec[] = [];
const byName = new Map<Task, TaskSpec>();

export function registerTask(spec: TaskSpec): void {
  if (byName.has(spec.name)) throw new SomaError('INTERNAL', `task ${spec.name} registered twice`);
  if (spec.metrics.task !== spec.name) throw new SomaError('INTERNAL', `task ${spec.name}: its metrics are registered for task ${spec.metrics.task}`);
  const own = new Set(spec.metrics.metrics.map((m) => m.name));
  const named: [string, readonly string[]][] = [
    ['searchMetric', [spec.searchMetric]],
    ['headlineMetric', [spec.headlineMetric]],
    ['starter.metrics', spec.starter.metrics],
    ['starter.gate', [spec.starter.gate[0]]],
  ];
  for (const [what, names] of named) {
    // `ndcg@10` names an instance of a metric of top-k lists, `ndcg@k`.
    const stray = names.filter((n) => !own.has(n) && !own.has(atKName(n) ?? ''));
    if (stray.length > 0) throw new SomaError('INTERNAL', `task ${spec.name}: ${what} names ${stray.join(', ')}, not one of its metrics (${[...own].join(', ')})`);
  }
  registerMetricFamily(spec.metrics);
  byName.set(spec.name, spec);
  specs.push(spec);
}

/** Every registered task, in registration order (the order inference tries them in). */
export function taskSpecs(): readonly TaskSpec[] {
  return specs;
}

/** Every accepted `task:` value. */
export function taskNames(): string[] {
  return specs.map((s) => s.name);
}

/** The spec of a task; CONFIG_INVALID naming the accepted tasks when there is none. */
export function findTask(name: string): TaskSpec {
  const spec = byName.get(name);
  if (!spec) {
    throw new SomaError('CONFIG_INVALID', `task: unknown task "${name}" (expected one of ${taskNames().join(', ')})`, { details: { task: name, known: taskNames() } });
  }
  return spec;
}

/** The spec of a task, or undefined (for listings that should not fail on a task this soma lacks). */
export function knownTask(name: string): TaskSpec | undefined {
  return byName.get(name);
}
