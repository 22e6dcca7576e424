// Registry listings for `soma models list` and `soma models show`.

import { readTags, type TagMap } from '../registry/lifecycle.js';
import type { ResolvedModel } from '../registry/resolve.js';
import { Registry } from '../registry/store.js';
import { renderMetricsTable } from '../evaluate/table.js';
import type { JsonObject } from '../util/json.js';
import { registerBuiltinTasks } from '../tasks/index.js';
import { knownTask } from '../tasks/registry.js';

export interface ModelRow {
  name: string;
  latest: string;
  versions: number;
  aliases: Record<string, string>;
  task: string;
  algorithm: string;
  created_at: string;
}

export interface VersionRow {
  version: string;
  id: string;
  created_at: string;
  bump: string;
  aliases: string[];
  /** From <model>/tags.json (`soma models tag`). */
  tags: TagMap;
  /** The task's headline test metric (classification f1_macro, regression rmse) when recorded. */
  metric?: { name: string; value: number };
}

export async function listModels(dir: string): Promise<ModelRow[]> {
  const registry = new Registry(dir);
  const rows: ModelRow[] = [];
  for (const name of await registry.listModels()) {
    const versions = await registry.listVersions(name);
    const latest = versions[versions.length - 1];
    if (latest === undefined) continue;
    const m = await registry.readMetadata(name, latest);
    rows.push({ name, latest, versions: versions.length, aliases: await registry.readAliases(name), task: m.task, algorithm: m.algorithm, created_at: m.created_at });
  }
  return rows;
}

export async function listVersions(dir: string, name: string): Promise<VersionRow[]> {
  registerBuiltinTasks();
  const registry = new Registry(dir);
  const resolved = await registry.resolve(name); // REGISTRY_NOT_FOUND names what exists
  const aliases = await registry.readAliases(resolved.name);
  const tags = await readTags(registry, resolved.name);
  const rows: VersionRow[] = [];
  for (const version of await registry.listVersions(resolved.name)) {
    const m = await registry.readMetadata(resolved.name, version);
    // Forecasters record a backtest instead of a test split.
    const test = ((m.metrics as JsonObject)['test'] ?? (m.metrics as JsonObject)['backtest']) as Record<string, number> | undefined;
    // A task this soma does not know (registered by a plugin) lists without a headline.
    const headline = knownTask(m.task)?.headlineMetric;
    rows.push({
      version,
      id: m.id,
      created_at: m.created_at,
      bump: `${m.bump.level}: ${m.bump.reason}`,
      aliases: Object.entries(aliases).filter(([, v]) => v === version).map(([a]) => a),
      tags: tags[version] ?? {},
      ...(headline !== undefined && test?.[headline] !== undefined ? { metric: { name: headline, value: test[headline] } } : {}),
    });
  }
  return rows;
}

export interface ShownModel extends ResolvedModel {
  /** Aliases that point to this version. */
  aliases: string[];
  tags: TagMap;
  /** The check loading runs: ok, or what would make loading it exit 6. */
  integrity: { ok: boolean; problems: string[] };
}

export async function showModel(dir: string, ref: string): Promise<ShownModel> {
  const registry = new Registry(dir);
  const resolved = await registry.resolve(ref);
  const aliases = Object.entries(await registry.readAliases(resolved.name)).filter(([, v]) => v === resolved.version).map(([a]) => a);
  const problems = (await registry.integrity(resolved)).map((p) => p.message);
  return { ...resolved, aliases, tags: (await readTags(registry, resolved.name))[resolved.version] ?? {}, integrity: { ok: problems.length === 0, problems } };
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function renderModelList(rows: ModelRow[], dir: string): string {
  if (rows.length === 0) return `no models in ${dir} (soma train -c CONFIG registers one)`;
  return table(
    ['name', 'latest', 'versions', 'task', 'algorithm', 'aliases', 'created'],
    rows.map((r) => [r.name, r.latest, String(r.versions), r.task, r.algorithm, Object.entries(r.aliases).map(([a, v]) => `${a}=${v}`).join(' '), r.created_at.slice(0, 19).replace('T', ' ')]),
  );
}

export function renderVersionList(name: string, rows: VersionRow[]): string {
  return `${name}\n${table(
    ['version', 'created', 'test metric', 'aliases', 'tags', 'bump'],
    rows.map((r) => [
      r.version,
      r.created_at.slice(0, 19).replace('T', ' '),
      r.metric ? `${r.metric.name} ${r.metric.value.toPrecision(4)}` : '',
      r.aliases.join(' '),
      Object.entries(r.tags).map(([k, v]) => `${k}=${v}`).join(' '),
      r.bump,
    ]),
  )}`;
}

export function renderModel(m: ResolvedModel & Partial<Pick<ShownModel, 'aliases' | 'tags' | 'integrity'>>): string {
  const md = m.metadata;
  const out: string[] = [];
  out.push(`${md.id}  (${m.dir})`);
  // First, so nobody reads the metrics below without knowing they may have been edited.
  if (m.integrity && !m.integrity.ok) out.push(`  INTEGRITY CHECK FAILED (loading it exits 6; what is shown may have been edited): ${m.integrity.problems.join('; ')}`);
  if (m.aliases && m.aliases.length > 0) out.push(`  aliases: ${m.aliases.join(', ')}`);
  if (m.tags && Object.keys(m.tags).length > 0) out.push(`  tags: ${Object.entries(m.tags).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  if (md.description) out.push(`  ${md.description}`);
  out.push(`  task ${md.task} · algorithm ${md.algorithm} · target ${md.target} · ${md.framework}`);
  out.push(`  created ${md.created_at} · trained on ${md.trained_on.rows} rows of ${md.trained_on.source}`);
  out.push(`  bump ${md.bump.level}: ${md.bump.reason}`);
  out.push(`  lineage: parent ${md.lineage.parent ?? '-'} · git ${md.lineage.git_commit ?? '-'}${md.lineage.git_dirty ? ' (dirty)' : ''}`);
  out.push(`  hyperparameters: ${Object.entries(md.hyperparameters).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ') || '(defaults)'}`);
  out.push(`  features (${md.features.length}): ${md.features.map((f) => `${f.name}:${f.type}`).join(', ')}`);
  const metrics = md.metrics as JsonObject;
  const splits = Object.fromEntries(['train', 'validation', 'test', 'oob'].filter((s) => metrics[s]).map((s) => [s, metrics[s] as Record<string, number>]));
  out.push('', renderMetricsTable(splits));
  out.push(...renderCoefficients(md.summary));
  const imp = metrics['feature_importance'] as { kind: string; values: Record<string, number>; split?: Record<string, number>; cover?: Record<string, number> } | undefined;
  if (imp) {
    const top = Object.entries(imp.values).sort((a, b) => b[1] - a[1]).slice(0, 10);
    const max = top[0]?.[1] || 1;
    out.push('', `feature importance (${imp.kind}, top ${top.length}${imp.split ? '; splits and cover beside' : ''})`);
    const w = Math.max(...top.map(([n]) => n.length));
    for (const [n, v] of top) {
      const bar = `${'█'.repeat(Math.max(1, Math.round((v / max) * 30)))} ${v.toPrecision(3)}`;
      // Tree models: how many splits use the feature and the hessian (rows) those splits cover.
      const extra = imp.split ? `${bar.padEnd(40)} splits ${imp.split[n] ?? 0}  cover ${(imp.cover?.[n] ?? 0).toPrecision(3)}` : bar;
      out.push(`  ${n.padEnd(w)}  ${extra}`);
    }
  }
  out.push('', `  timings: ${Object.entries(md.timings).map(([k, v]) => `${k.replace(/_s$/, '')} ${Number(v).toFixed(2)}s`).join(' · ')}`);
  out.push(`  artifacts: ${md.artifacts.length} files, sha256 verified on every load`);
  return out.join('\n');
}

/** Signed coefficients of linear families by feature name (per class for multinomial models). */
function renderCoefficients(summary: JsonObject): string[] {
  const coef = summary['coefficients'];
  if (!coef || typeof coef !== 'object' || Array.isArray(coef)) return [];
  const classes = Array.isArray(summary['classes']) ? summary['classes'].map(String) : [];
  const block = (title: string, values: JsonObject, intercept: unknown): string[] => {
    const rows = Object.entries(values)
      .filter((e): e is [string, number] => typeof e[1] === 'number')
      .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
      .slice(0, 20);
    const w = Math.max(9, ...rows.map(([n]) => n.length));
    return [
      '',
      title,
      ...(typeof intercept === 'number' ? [`  ${'intercept'.padEnd(w)}  ${intercept >= 0 ? ' ' : ''}${intercept.toPrecision(4)}`] : []),
      ...rows.map(([n, v]) => `  ${n.padEnd(w)}  ${v >= 0 ? ' ' : ''}${v.toPrecision(4)}`),
    ];
  };
  const values = Object.values(coef);
  if (values.every((v) => typeof v === 'number')) return block('coefficients (largest |value| first, top 20)', coef, summary['intercept']);
  const intercepts = (summary['intercept'] ?? {}) as JsonObject;
  return Object.entries(coef).flatMap(([k, v]) =>
    v && typeof v === 'object' && !Array.isArray(v) ? block(`coefficients for class ${classes[Number(k)] ?? k} (top 20)`, v, intercepts[k]) : [],
  );
}
