// Quality gates: `evaluate.gates: {f1_macro: ">= 0.9"}` and `--fail-under/--fail-over`. A failed
// gate makes the command exit 4 naming the metric, its value and the bound.
//
// A gate can also be relative to the version under an alias of the same model,
// `f1_macro: "> production - 0.01"`, so CI refuses a regression against what is deployed. The
// caller resolves each alias to a baseline (train: the alias version's recorded metrics of the
// same split; evaluate: the alias version scored on the same data file) and passes them in.
// When the alias does not exist yet (the first model, nothing promoted), the gate passes with a
// note: there is nothing to regress from, and failing would block the very first release.

import { SomaError } from '../errors.js';
import type { ResolvedModel } from '../registry/resolve.js';
import { Registry } from '../registry/store.js';

export type GateOp = '>=' | '<=' | '>' | '<' | '==';

export interface GateResult {
  metric: string;
  op: GateOp;
  /** The bound the value was compared with; null when a relative gate had no baseline. */
  bound: number | null;
  value: number | null;
  split: string;
  passed: boolean;
  /** Relative gates: the alias, the version it pointed to, its metric and the offset. */
  relative?: { alias: string; version: string | null; baseline: number | null; offset: number };
  /** Why a gate passed without a comparison (an alias that does not exist yet). */
  note?: string;
}

export type ParsedGate = { op: GateOp; bound: number; alias?: undefined; offset?: undefined } | { op: GateOp; alias: string; offset: number; bound?: undefined };

const NUM = String.raw`(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?`;
const ABSOLUTE_RE = new RegExp(String.raw`^\s*(>=|<=|>|<|==)\s*(-?${NUM})\s*$`, 'i');
const RELATIVE_RE = new RegExp(String.raw`^\s*(>=|<=|>|<|==)\s*([A-Za-z][A-Za-z0-9_-]{0,63})\s*(?:([-+])\s*(${NUM}))?\s*$`, 'i');

export function parseGate(metric: string, expr: string): ParsedGate {
  const a = ABSOLUTE_RE.exec(expr);
  if (a) return { op: a[1] as GateOp, bound: Number(a[2]) };
  const r = RELATIVE_RE.exec(expr);
  if (r && r[2]!.toLowerCase() !== 'latest') {
    const offset = r[4] === undefined ? 0 : Number(r[4]) * (r[3] === '-' ? -1 : 1);
    return { op: r[1] as GateOp, alias: r[2]!.toLowerCase(), offset };
  }
  throw new SomaError('CONFIG_INVALID', `gate ${metric}: cannot read ${JSON.stringify(expr)} (expected a comparison like ">= 0.9", or one relative to an alias like "> production - 0.01")`);
}

function holds(value: number, op: GateOp, bound: number): boolean {
  switch (op) {
    case '>=':
      return value >= bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '<':
      return value < bound;
    case '==':
      return value === bound;
  }
}

/** The alias version's metrics a relative gate compares with; `version: null` when the alias does not exist. */
export interface GateBaseline {
  alias: string;
  version: string | null;
  metrics: Record<string, number>;
}

/** The aliases the gates refer to, each once. */
export function gateAliases(gates: Record<string, string>): string[] {
  const out = new Set<string>();
  for (const [metric, expr] of Object.entries(gates)) {
    const g = parseGate(metric, expr);
    if (g.alias !== undefined) out.add(g.alias);
  }
  return [...out];
}

/**
 * Checks every gate against `metrics`. Relative gates need `baselines` for their alias; without
 * one (a caller that cannot resolve aliases) they are refused rather than silently passed.
 */
export function evaluateGates(gates: Record<string, string>, metrics: Record<string, number>, split: string, baselines?: Readonly<Record<string, GateBaseline>>): GateResult[] {
  return Object.entries(gates).map(([metric, expr]): GateResult => {
    const g = parseGate(metric, expr);
    const value = metrics[metric];
    const present = value !== undefined && !Number.isNaN(value);
    if (g.alias === undefined) return { metric, op: g.op, bound: g.bound, value: present ? value : null, split, passed: present && holds(value, g.op, g.bound) };
    const base = baselines?.[g.alias];
    if (base === undefined) {
      throw new SomaError('USAGE', `gate ${metric}: ${JSON.stringify(expr)} is relative to the alias '${g.alias}', which cannot be resolved here (use a number)`);
    }
    if (base.version === null) {
      return {
        metric,
        op: g.op,
        bound: null,
        value: present ? value : null,
        split,
        passed: true,
        relative: { alias: g.alias, version: null, baseline: null, offset: g.offset },
        note: `no '${g.alias}' alias yet, nothing to compare against`,
      };
    }
    const b = base.metrics[metric];
    const hasBase = b !== undefined && !Number.isNaN(b);
    const bound = hasBase ? b + g.offset : null;
    return {
      metric,
      op: g.op,
      bound,
      value: present ? value : null,
      split,
      // A baseline without the metric cannot vouch for the new model: the gate fails, saying why.
      passed: present && bound !== null && holds(value, g.op, bound),
      relative: { alias: g.alias, version: base.version, baseline: hasBase ? b : null, offset: g.offset },
      ...(hasBase ? {} : { note: `${g.alias} (${base.version}) has no ${metric} on ${split}` }),
    };
  });
}

export function formatGate(g: GateResult): string {
  const v = g.value === null ? 'not computed' : g.value.toPrecision(4);
  if (g.relative) {
    const r = g.relative;
    const expr = `${r.alias}${r.offset === 0 ? '' : ` ${r.offset < 0 ? '-' : '+'} ${Math.abs(r.offset)}`}`;
    const bound = g.bound === null ? '' : ` = ${g.bound.toPrecision(4)}, ${r.alias} is ${r.version}`;
    return `${g.metric} ${g.op} ${expr}${bound} on ${g.split}: ${v} ${g.passed ? 'passed' : 'FAILED'}${g.note ? ` (${g.note})` : ''}`;
  }
  return `${g.metric} ${g.op} ${g.bound} on ${g.split}: ${v} ${g.passed ? 'passed' : 'FAILED'}`;
}

/** Throws the exit-4 error when any gate failed. */
export function assertGates(results: GateResult[]): void {
  const failed = results.filter((g) => !g.passed);
  if (failed.length === 0) return;
  throw new SomaError('GATE_FAILED', `quality gate${failed.length > 1 ? 's' : ''} failed: ${failed.map(formatGate).join('; ')}`, {
    details: { gates: results as unknown as Record<string, unknown>[] },
  });
}

/**
 * Resolves each alias of model `name` to a baseline: `measure` supplies the alias version's
 * metrics (recorded or freshly scored, the caller's choice). A model or alias that does not exist
 * gives `version: null`, and its gates pass with a note.
 */
export async function resolveGateBaselines(
  registryDir: string,
  name: string,
  aliases: readonly string[],
  measure: (resolved: ResolvedModel) => Promise<Record<string, number>> | Record<string, number>,
): Promise<Record<string, GateBaseline>> {
  const out: Record<string, GateBaseline> = {};
  if (aliases.length === 0) return out;
  const registry = new Registry(registryDir);
  const existing = (await registry.listVersions(name).catch(() => [] as string[])).length > 0 ? await registry.readAliases(name) : {};
  for (const alias of aliases) {
    const version = existing[alias];
    if (version === undefined) {
      out[alias] = { alias, version: null, metrics: {} };
      continue;
    }
    const resolved = await registry.resolve(`${name}@${version}`);
    out[alias] = { alias, version, metrics: await measure(resolved) };
  }
  return out;
}

/** A version's recorded metrics of one split (metadata.metrics[split]), numbers only. */
export function recordedSplitMetrics(resolved: ResolvedModel, split: string): Record<string, number> {
  const m = (resolved.metadata.metrics as Record<string, unknown>)[split];
  const out: Record<string, number> = {};
  if (m && typeof m === 'object' && !Array.isArray(m)) {
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) if (typeof v === 'number') out[k] = v;
  }
  return out;
}

/**
 * `--fail-under f1_macro=0.9` -> {f1_macro: ">= 0.9"}; `--fail-over rmse=3.5` -> {rmse: "<= 3.5"};
 * `--fail-under f1_macro=production-0.01` -> {f1_macro: ">= production - 0.01"} (relative to an alias).
 */
export function gatesFromFlags(under: readonly string[], over: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (flag: string, op: GateOp) => (s: string) => {
    const eq = s.indexOf('=');
    const rhs = s.slice(eq + 1).trim();
    const metric = s.slice(0, eq);
    // "production-0.01" reads as the alias minus an offset; numbers (even 1e-5) stay as written.
    const expr = /^[A-Za-z]/.test(rhs) ? `${op} ${rhs.replace(/\s*([-+])\s*/, ' $1 ')}` : `${op} ${rhs}`;
    let ok = eq > 0 && rhs !== '';
    if (ok) {
      try {
        parseGate(metric, expr);
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      throw new SomaError('USAGE', `${flag} ${s}: expected METRIC=VALUE or METRIC=ALIAS[-OFFSET] (e.g. ${flag} f1_macro=0.9, ${flag} f1_macro=production-0.01)`);
    }
    out[metric] = ABSOLUTE_RE.test(expr) ? `${op} ${Number(rhs)}` : expr;
  };
  under.forEach(add('--fail-under', '>='));
  over.forEach(add('--fail-over', '<='));
  return out;
}
