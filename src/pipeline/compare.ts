// `soma compare REF REF...`: reads each version's metadata from the registry and hands it to the
// pure comparison in evaluate/compare.ts. Metadata only: nothing is loaded or predicted, so
// comparing versions of large models is instant.

import { SomaError } from '../errors.js';
import { compareVersions, type CompareInput, type Comparison } from '../evaluate/compare.js';
import { Registry } from '../registry/store.js';
import type { JsonObject } from '../util/json.js';

export interface CompareOptions {
  refs: readonly string[];
  registryDir: string;
  /** Which metrics to compare: train, validation or test (default test). */
  split?: string;
}

/** A comparison, and which versions fail the check loading runs (their metrics may be edited). */
export type CheckedComparison = Comparison & { integrity: { ref: string; id: string; ok: boolean; problems: string[] }[] };

export async function compare(options: CompareOptions): Promise<CheckedComparison> {
  if (options.refs.length < 2) {
    throw new SomaError('USAGE', `soma compare needs at least two REFs (got ${options.refs.length})`, { hint: 'e.g. soma compare penguins@1.0.0 penguins@1.1.0' });
  }
  const split = options.split ?? 'test';
  const registry = new Registry(options.registryDir);
  const inputs: CompareInput[] = [];
  const integrity: CheckedComparison['integrity'] = [];
  for (const ref of options.refs) {
    const r = await registry.resolve(ref);
    const md = r.metadata;
    const problems = (await registry.integrity(r)).map((p) => p.message);
    integrity.push({ ref, id: r.id, ok: problems.length === 0, problems });
    inputs.push({
      ref,
      name: r.name,
      version: r.version,
      id: r.id,
      task: md.task,
      algorithm: md.algorithm,
      metrics: (md.metrics ?? {}) as JsonObject,
      hyperparameters: (md.hyperparameters ?? {}) as JsonObject,
      features: (md.features ?? []).map((f) => ({ name: String(f.name), type: String(f.type) })),
    });
  }
  const splits = new Set(inputs.flatMap((i) => Object.keys(i.metrics).filter((k) => ['train', 'validation', 'test', 'cv', 'backtest'].includes(k))));
  if (!splits.has(split)) {
    throw new SomaError('USAGE', `--split ${split}: none of the versions has ${split} metrics (they have: ${[...splits].join(', ') || 'none'})`, {
      details: { split, available: [...splits] },
    });
  }
  return { ...compareVersions(inputs, split), integrity };
}
