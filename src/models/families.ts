// Every model family a config may name in `model.type`, whatever its kind: the row-wise
// estimators (catalog.ts) and families that are trained another way (forecasting's local models,
// a recommender) each register with their own catalog, which adds them here. The config schema,
// `soma validate`, the README's parameter tables and task inference read this one list; only the
// flow that trains a family asks its own catalog for the implementation.

import { SomaError } from '../errors.js';
import type { Task } from '../tasks/task.js';
import type { JsonObject } from '../util/json.js';

/** What the config layer needs to know of a family: its names, tasks and params schema. */
export interface FamilySpec {
  name: string;
  aliases?: string[];
  description: string;
  tasks: Task[];
  /** JSON Schema of `model.params`; additionalProperties false. */
  paramsSchema: JsonObject;
}

const specs: FamilySpec[] = [];
const byName = new Map<string, FamilySpec>();

export function registerFamily(spec: FamilySpec): void {
  for (const n of [spec.name, ...(spec.aliases ?? [])]) {
    if (byName.has(n)) throw new Error(`model family name ${n} registered twice`);
  }
  for (const n of [spec.name, ...(spec.aliases ?? [])]) byName.set(n, spec);
  specs.push(spec);
}

/** Every family, in registration order. */
export function familySpecs(): readonly FamilySpec[] {
  return specs;
}

/** Every accepted `model.type` value: names and aliases of every kind of family. */
export function familyNames(): string[] {
  return [...byName.keys()];
}

/** A family by name or alias; CONFIG_INVALID naming the accepted ones when there is none. */
export function findFamily(name: string): FamilySpec {
  const spec = byName.get(name);
  if (!spec) throw new SomaError('CONFIG_INVALID', `model.type: unknown model family "${name}" (expected one of ${familyNames().join(', ')})`);
  return spec;
}
