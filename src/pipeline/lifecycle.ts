// Orchestration of the registry lifecycle commands (`soma models promote|rollback|tag|history|
// verify|rm|gc`): REF resolution, integrity and gate checks before a promotion, and the human
// renderings. The file work itself is in registry/lifecycle.ts.

import { SomaError } from '../errors.js';
import {
  checkModel,
  gcModel,
  modelExists,
  parseTagArgs,
  promoteAlias,
  readHistory,
  removeVersion,
  rollbackAlias,
  setTags,
  type GcPlan,
  type HistoryEntry,
  type ModelCheck,
  type MutationOptions,
  type TagMap,
} from '../registry/lifecycle.js';
import { normalizeModelName, parseRef } from '../registry/ref.js';
import { Registry } from '../registry/store.js';
import type { JsonValue } from '../util/json.js';
import { evaluateGates, formatGate, parseGate, type GateResult } from './gates.js';

interface Common {
  registryDir: string;
  reason?: string;
  lockTimeoutMs?: number;
  onNotice?: (message: string) => void;
  /** The command line, recorded in the model lock while a mutation holds it. */
  command?: string;
}

function mutation(o: Common): MutationOptions {
  return {
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
    ...(o.lockTimeoutMs !== undefined ? { lockTimeoutMs: o.lockTimeoutMs } : {}),
    ...(o.onNotice ? { onNotice: o.onNotice } : {}),
    ...(o.command !== undefined ? { command: o.command } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// promote

const REQUIRE_RE = /^\s*([A-Za-z][A-Za-z0-9_]*)\s*((?:>=|<=|==|>|<).*)$/;

/** `"f1_macro >= 0.9"` -> metric and comparison; USAGE naming the text when it does not parse. */
export function parseRequirement(text: string): { metric: string; expr: string } {
  const m = REQUIRE_RE.exec(text);
  if (!m) {
    throw new SomaError('USAGE', `--require ${JSON.stringify(text)}: expected "METRIC OP VALUE", e.g. "f1_macro >= 0.9" (OP: >=, <=, >, <, ==)`, {
      details: { value: text },
    });
  }
  try {
    parseGate(m[1]!, m[2]!);
  } catch (e) {
    throw new SomaError('USAGE', `--require ${JSON.stringify(text)}: ${(e as Error).message}`, { details: { value: text } });
  }
  return { metric: m[1]!, expr: m[2]! };
}

export interface PromoteOptions extends Common {
  ref: string;
  alias: string;
  /** `--require` expressions, checked against the version's test metrics. */
  require?: readonly string[];
}

export interface PromoteResult {
  name: string;
  alias: string;
  version: string;
  id: string;
  from: string | null;
  to: string;
  changed: boolean;
  gates: GateResult[];
}

/**
 * Points ALIAS at the version REF resolves to, after checking its artifacts (exit 6 when tampered)
 * and every `--require` gate on its recorded test metrics (exit 4 when one fails). Nothing changes
 * unless all checks pass.
 */
export async function promote(o: PromoteOptions): Promise<PromoteResult> {
  const requirements = (o.require ?? []).map(parseRequirement);
  const registry = new Registry(o.registryDir);
  const resolved = await registry.resolve(o.ref);
  await registry.assertIntact(resolved);
  // Forecasters record a backtest instead of a test split.
  const split = (resolved.metadata.metrics as Record<string, unknown>)['test'] === undefined && (resolved.metadata.metrics as Record<string, unknown>)['backtest'] !== undefined ? 'backtest' : 'test';
  const test = recordedMetrics(resolved.metadata.metrics, split);
  const gates = requirements.flatMap((r) => evaluateGates({ [r.metric]: r.expr }, test, split));
  const failed = gates.filter((g) => !g.passed);
  if (failed.length > 0) {
    throw new SomaError('GATE_FAILED', `not promoting ${resolved.id} to ${o.alias}: ${failed.map(formatGate).join('; ')}`, {
      hint: Object.keys(test).length > 0 ? `recorded ${split} metrics: ${Object.entries(test).map(([k, v]) => `${k}=${v.toPrecision(4)}`).join(', ')}` : `${resolved.id} has no recorded ${split} metrics`,
      details: { id: resolved.id, alias: o.alias, gates: gates as unknown as Record<string, unknown>[] },
    });
  }
  const change = await promoteAlias(registry, resolved.name, resolved.version, o.alias, mutation(o));
  return { name: change.name, alias: change.alias, version: resolved.version, id: resolved.id, from: change.from, to: change.to, changed: change.changed, gates };
}

function recordedMetrics(metrics: { [key: string]: JsonValue }, split: string): Record<string, number> {
  const m = metrics[split];
  const out: Record<string, number> = {};
  if (m && typeof m === 'object' && !Array.isArray(m)) {
    for (const [k, v] of Object.entries(m)) if (typeof v === 'number') out[k] = v;
  }
  return out;
}

export function renderPromote(r: PromoteResult): string {
  const gates = r.gates.map((g) => `\n  gate ${formatGate(g)}`).join('');
  if (!r.changed) return `${r.name}@${r.alias} already points to ${r.version}; nothing changed${gates}`;
  return `✓ ${r.name}@${r.alias}: ${r.from ?? '(unset)'} → ${r.to}${gates}`;
}

// ---------------------------------------------------------------------------------------------
// rollback

export interface RollbackResult {
  name: string;
  alias: string;
  from: string | null;
  to: string;
  id: string;
}

export async function rollback(o: Common & { name: string; alias: string }): Promise<RollbackResult> {
  const registry = new Registry(o.registryDir);
  const n = await existingModel(registry, o.name);
  const change = await rollbackAlias(registry, n, o.alias, mutation(o));
  return { name: change.name, alias: change.alias, from: change.from, to: change.to, id: `${change.name}_v${change.to}` };
}

export function renderRollback(r: RollbackResult): string {
  return `✓ rolled back ${r.name}@${r.alias}: ${r.from ?? '(unset)'} → ${r.to}`;
}

// ---------------------------------------------------------------------------------------------
// tag

export interface TagResult {
  name: string;
  version: string;
  id: string;
  tags: TagMap;
}

export async function tag(o: Common & { ref: string; pairs: readonly string[]; remove?: readonly string[] }): Promise<TagResult> {
  const set = parseTagArgs(o.pairs);
  const remove = [...(o.remove ?? [])];
  if (Object.keys(set).length === 0 && remove.length === 0) {
    throw new SomaError('USAGE', 'nothing to tag: give key=value pairs and/or --remove KEY', { hint: 'soma models tag penguins@1.2.0 owner=ana reviewed=yes' });
  }
  const registry = new Registry(o.registryDir);
  const resolved = await registry.resolve(o.ref);
  const tags = await setTags(registry, resolved.name, resolved.version, set, remove, mutation(o));
  return { name: resolved.name, version: resolved.version, id: resolved.id, tags };
}

export function renderTags(r: TagResult): string {
  const entries = Object.entries(r.tags);
  return entries.length === 0 ? `✓ ${r.id} has no tags` : `✓ ${r.id} tags: ${entries.map(([k, v]) => `${k}=${v}`).join(' ')}`;
}

// ---------------------------------------------------------------------------------------------
// history

export interface HistoryResult {
  name: string;
  alias: string | null;
  events: HistoryEntry[];
}

export async function history(o: { registryDir: string; name: string; alias?: string }): Promise<HistoryResult> {
  const registry = new Registry(o.registryDir);
  const n = await existingModel(registry, o.name);
  return { name: n, alias: o.alias ?? null, events: await readHistory(registry, n, o.alias) };
}

function cell(v: JsonValue): string {
  if (v === null) return '-';
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && !Array.isArray(v)) return Object.entries(v).map(([k, x]) => `${k}=${typeof x === 'string' ? x : JSON.stringify(x)}`).join(' ') || '{}';
  return JSON.stringify(v);
}

export function renderHistory(r: HistoryResult): string {
  if (r.events.length === 0) return `${r.name}: no events${r.alias ? ` for alias ${r.alias}` : ''}`;
  const rows = r.events.map((e) => [
    e.at.slice(0, 19).replace('T', ' '),
    e.event,
    e.version ?? '',
    e.alias ?? '',
    `${cell(e.from)} → ${cell(e.to)}`,
    `${e.user ?? '?'}@${e.host ?? '?'}`,
    e.reason ?? '',
  ]);
  const header = ['when (UTC)', 'event', 'version', 'alias', 'from → to', 'who', 'reason'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [`${r.name}${r.alias ? ` @${r.alias}` : ''}`, line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// verify

export interface VerifyResult {
  registry: string;
  ok: boolean;
  models: ModelCheck[];
}

/**
 * Re-hashes every artifact: of every version of every model (no REF), of every version of one
 * model (a bare NAME), or of the one version a REF with a version, range or alias picks.
 * Throws REGISTRY_INTEGRITY (exit 6) naming each changed, missing or unexpected file.
 */
export async function verify(o: { registryDir: string; ref?: string }): Promise<VerifyResult> {
  const registry = new Registry(o.registryDir);
  const checks: ModelCheck[] = [];
  if (o.ref === undefined) {
    for (const n of await registry.listModels()) checks.push(await checkModel(registry, n));
  } else {
    const ref = parseRef(o.ref);
    if (ref.kind === 'latest' && !o.ref.includes('@')) {
      await registry.resolve(ref); // REGISTRY_NOT_FOUND naming the models that exist
      checks.push(await checkModel(registry, ref.name));
    } else {
      const resolved = await registry.resolve(ref);
      checks.push(await checkModel(registry, resolved.name, [resolved.version]));
    }
  }
  const result: VerifyResult = { registry: registry.root, ok: checks.every((c) => c.ok), models: checks };
  if (!result.ok) {
    const lines: string[] = [];
    for (const m of checks) {
      for (const p of m.problems) lines.push(`${m.name}: ${p.message}`);
      for (const v of m.versions) for (const p of v.problems) lines.push(`${v.id}: ${p.message}`);
    }
    throw new SomaError('REGISTRY_INTEGRITY', `integrity check failed:\n  ${lines.join('\n  ')}`, {
      hint: 'a registered version never changes; restore the files, or remove the version (soma models rm REF --force) and train it again',
      details: { registry: registry.root, models: checks as unknown as Record<string, unknown>[] },
    });
  }
  return result;
}

export function renderVerify(r: VerifyResult): string {
  const versions = r.models.reduce((s, m) => s + m.versions.length, 0);
  if (r.models.length === 0) return `no models in ${r.registry}`;
  return `✓ ${versions} version${versions === 1 ? '' : 's'} of ${r.models.length} model${r.models.length === 1 ? '' : 's'} intact (${r.models.map((m) => `${m.name}: ${m.versions.map((v) => v.version).join(' ')}`).join('; ')})`;
}

// ---------------------------------------------------------------------------------------------
// rm and gc

export interface RemoveResult {
  name: string;
  version: string;
  id: string;
  aliases: string[];
}

/** Removes one version; REF must name it exactly (`name@1.2.0` or `name_v1.2.0`). */
export async function removeModelVersion(o: Common & { ref: string; force?: boolean }): Promise<RemoveResult> {
  const ref = parseRef(o.ref);
  if (ref.kind !== 'version') {
    throw new SomaError('USAGE', `soma models rm needs an exact version, not '${o.ref}'`, {
      hint: `name the version: ${ref.name}@X.Y.Z or ${ref.name}_vX.Y.Z (soma models list ${ref.name} shows them)`,
      details: { value: o.ref },
    });
  }
  const registry = new Registry(o.registryDir);
  await registry.resolve(ref); // REGISTRY_NOT_FOUND listing the versions that exist
  return removeVersion(registry, ref.name, ref.version, { ...mutation(o), ...(o.force ? { force: true } : {}) });
}

export function renderRemove(r: RemoveResult): string {
  return `✓ removed ${r.id}${r.aliases.length > 0 ? ` (and its alias${r.aliases.length > 1 ? 'es' : ''} ${r.aliases.join(', ')})` : ''}`;
}

export interface GcResult {
  dry_run: boolean;
  keep: number;
  models: GcPlan[];
}

export async function gc(o: Common & { name?: string; keep: number; dryRun?: boolean }): Promise<GcResult> {
  const registry = new Registry(o.registryDir);
  const names = o.name !== undefined ? [await existingModel(registry, o.name)] : await registry.listModels();
  const models: GcPlan[] = [];
  for (const n of names) models.push(await gcModel(registry, n, o.keep, { ...mutation(o), ...(o.dryRun ? { dryRun: true } : {}) }));
  return { dry_run: Boolean(o.dryRun), keep: o.keep, models };
}

export function renderGc(r: GcResult): string {
  const verb = r.dry_run ? 'would remove' : 'removed';
  const removed = r.models.reduce((s, m) => s + m.remove.length, 0);
  const kept = r.dry_run ? 'would keep' : 'kept';
  const lines = r.models.map((m) => `  ${m.name}: ${verb} ${m.remove.length > 0 ? m.remove.join(' ') : 'nothing'}; ${kept} ${m.keep.join(' ') || 'nothing'}`);
  return [`${r.dry_run ? 'dry run: ' : '✓ '}${verb} ${removed} version${removed === 1 ? '' : 's'} (keeping the ${r.keep} newest and every aliased one)`, ...lines].join('\n');
}

/** The normalised name of a model that has a directory in the registry; REGISTRY_NOT_FOUND otherwise. */
async function existingModel(registry: Registry, name: string): Promise<string> {
  const n = normalizeModelName(name);
  if (await modelExists(registry, n)) return n;
  const models = await registry.listModels();
  throw new SomaError('REGISTRY_NOT_FOUND', `no model named '${n}' in ${registry.root}`, {
    hint: models.length > 0 ? `registered models: ${models.join(', ')}` : 'the registry is empty; `soma train -c CONFIG` registers a model',
    details: { name: n, registry: registry.root, models },
  });
}
