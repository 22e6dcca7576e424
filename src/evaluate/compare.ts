// `soma compare`: registered versions side by side. Metrics of one split with deltas against the
// first version, hyperparameters with the changed ones marked, and the input columns each version
// added, removed or retyped relative to the first. Pure: metadata in, a Comparison out, and the
// text, Markdown and JSON renderings of it.

import type { JsonObject, JsonValue } from '../util/json.js';
import { formatMetricValue } from './table.js';
import { isMetricName, metricDirection } from './metrics/index.js';

/** What compare needs of one version (read from its metadata.json). */
export interface CompareInput {
  /** The REF as given on the command line. */
  ref: string;
  name: string;
  version: string;
  id: string;
  task: string;
  algorithm: string;
  /** metadata.metrics: {train, validation, test, ...}. */
  metrics: JsonObject;
  hyperparameters: JsonObject;
  features: readonly { name: string; type: string }[];
}

export interface MetricRow {
  metric: string;
  /** maximize, minimize, or null for a metric soma does not know. */
  direction: 'maximize' | 'minimize' | null;
  /** One value per version; null where the version lacks the metric. */
  values: (number | null)[];
  /** value - first version's value; null for the first version and where either is missing. */
  deltas: (number | null)[];
  /** Whether each version is better than the first (null where not comparable or equal). */
  better: (boolean | null)[];
}

export interface ParamRow {
  param: string;
  values: (JsonValue | null)[];
  changed: boolean;
}

export interface FeatureDiff {
  /** The version compared against the first. */
  id: string;
  added: string[];
  removed: string[];
  retyped: { name: string; from: string; to: string }[];
}

export interface Comparison {
  split: string;
  versions: { ref: string; id: string; name: string; version: string; task: string; algorithm: string }[];
  metrics: MetricRow[];
  params: ParamRow[];
  features: FeatureDiff[];
}

export function compareVersions(inputs: readonly CompareInput[], split: string): Comparison {
  const bySplit = inputs.map((v) => {
    const m = v.metrics[split];
    return m && typeof m === 'object' && !Array.isArray(m) ? (m as Record<string, JsonValue>) : {};
  });
  const metricNames = unionKeys(bySplit.map((m) => Object.keys(m).filter((k) => typeof m[k] === 'number')));
  const metrics = metricNames.map((metric): MetricRow => {
    const direction = isMetricName(metric) ? metricDirection(metric) : null;
    const values = bySplit.map((m) => (typeof m[metric] === 'number' ? (m[metric] as number) : null));
    const first = values[0] ?? null;
    const deltas = values.map((v, i) => (i === 0 || v === null || first === null ? null : v - first));
    const better = deltas.map((d) => (d === null || d === 0 || direction === null ? null : direction === 'maximize' ? d > 0 : d < 0));
    return { metric, direction, values, deltas, better };
  });

  const paramNames = unionKeys(inputs.map((v) => Object.keys(v.hyperparameters)));
  const params = paramNames.map((param): ParamRow => {
    const values = inputs.map((v) => (param in v.hyperparameters ? v.hyperparameters[param]! : null));
    const canon = values.map((x) => JSON.stringify(x));
    return { param, values, changed: canon.some((c) => c !== canon[0]) };
  });

  const base = new Map(inputs[0]?.features.map((f) => [f.name, f.type]) ?? []);
  const features = inputs.slice(1).map((v): FeatureDiff => {
    const mine = new Map(v.features.map((f) => [f.name, f.type]));
    return {
      id: v.id,
      added: v.features.filter((f) => !base.has(f.name)).map((f) => f.name),
      removed: [...base.keys()].filter((n) => !mine.has(n)),
      retyped: v.features.filter((f) => base.has(f.name) && base.get(f.name) !== f.type).map((f) => ({ name: f.name, from: base.get(f.name)!, to: f.type })),
    };
  });

  return {
    split,
    versions: inputs.map((v) => ({ ref: v.ref, id: v.id, name: v.name, version: v.version, task: v.task, algorithm: v.algorithm })),
    metrics,
    params,
    features,
  };
}

/** A metric cell: the value, and for later versions the signed delta against the first. */
function metricCell(row: MetricRow, i: number): string {
  const v = row.values[i];
  if (v === null || v === undefined) return '-';
  const d = row.deltas[i];
  if (i === 0 || d === null || d === undefined) return formatMetricValue(v);
  return `${formatMetricValue(v)} (${d >= 0 ? '+' : ''}${formatMetricValue(d)})`;
}

function paramCell(v: JsonValue | null): string {
  if (v === null) return '-';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function label(v: Comparison['versions'][number]): string {
  return `${v.name}@${v.version}`;
}

function featureLines(c: Comparison): string[] {
  const first = c.versions[0];
  return c.features.map((f, i) => {
    const who = `${label(c.versions[i + 1]!)} vs ${first ? label(first) : '-'}`;
    const parts = [
      ...(f.added.length ? [`added ${f.added.join(', ')}`] : []),
      ...(f.removed.length ? [`removed ${f.removed.join(', ')}`] : []),
      ...(f.retyped.length ? [`retyped ${f.retyped.map((r) => `${r.name} ${r.from} → ${r.to}`).join(', ')}`] : []),
    ];
    return `${who}: ${parts.length ? parts.join('; ') : 'same input columns'}`;
  });
}

/** Plain aligned columns for the terminal. */
export function renderComparisonTable(c: Comparison): string {
  const heads = c.versions.map(label);
  const out: string[] = [];
  const grid = (header: string[], rows: string[][], rightAlign: boolean): string[] => {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells: string[]): string => cells.map((cell, i) => (i === 0 || !rightAlign ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
    return [line(header), ...rows.map(line)];
  };
  out.push(`metrics on the ${c.split} split (deltas against ${heads[0] ?? '-'})`, '');
  if (c.metrics.length === 0) out.push(`  no version has ${c.split} metrics`);
  else out.push(...grid(['metric', ...heads], c.metrics.map((m) => [m.metric, ...heads.map((_, i) => metricCell(m, i))]), true));
  out.push('', 'hyperparameters (* = differs)', '');
  if (c.params.length === 0) out.push('  (all defaults)');
  else out.push(...grid(['param', ...heads], c.params.map((p) => [`${p.changed ? '*' : ' '} ${p.param}`, ...p.values.map(paramCell)]), false));
  if (c.features.length > 0) out.push('', 'input columns', '', ...featureLines(c).map((l) => `  ${l}`));
  const tasks = new Set(c.versions.map((v) => v.task));
  if (tasks.size > 1) out.push('', `  note: the versions solve different tasks (${[...tasks].join(', ')}); their metrics cannot be compared`);
  const algos = new Set(c.versions.map((v) => v.algorithm));
  if (algos.size > 1) out.push('', `  note: the versions use different model families (${[...algos].join(', ')}); their hyperparameters differ by design`);
  return out.join('\n');
}

/** GitHub-flavoured Markdown, for pull-request comments and CI summaries. */
export function renderComparisonMarkdown(c: Comparison): string {
  const heads = c.versions.map(label);
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const out: string[] = [];
  out.push(`### Metrics (${c.split} split, deltas against ${heads[0] ?? '-'})`, '');
  out.push(`| metric | ${heads.map(esc).join(' | ')} |`, `|---|${heads.map(() => '---:').join('|')}|`);
  for (const m of c.metrics) {
    const cells = heads.map((_, i) => {
      const cell = metricCell(m, i);
      const b = m.better[i];
      return b === true ? `${cell} ✅` : b === false ? `${cell} 🔻` : cell;
    });
    out.push(`| ${esc(m.metric)} | ${cells.map(esc).join(' | ')} |`);
  }
  out.push('', '### Hyperparameters', '');
  out.push(`| param | ${heads.map(esc).join(' | ')} |`, `|---|${heads.map(() => '---').join('|')}|`);
  for (const p of c.params) out.push(`| ${p.changed ? `**${esc(p.param)}**` : esc(p.param)} | ${p.values.map((v) => `\`${esc(paramCell(v))}\``).join(' | ')} |`);
  if (c.features.length > 0) out.push('', '### Input columns', '', ...featureLines(c).map((l) => `- ${esc(l)}`));
  out.push('');
  return out.join('\n');
}

function unionKeys(lists: readonly (readonly string[])[]): string[] {
  const seen: string[] = [];
  const has = new Set<string>();
  for (const list of lists) {
    for (const k of list) {
      if (!has.has(k)) {
        has.add(k);
        seen.push(k);
      }
    }
  }
  return seen;
}
