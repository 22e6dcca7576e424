// Quality gates: `evaluate.gates: {f1_macro: ">= 0.9"}` and `--fail-under/--fail-over`. A failed
// gate makes the command exit 4 naming the metric, its value and the bound.

import { SomaError } from '../errors.js';

export type GateOp = '>=' | '<=' | '>' | '<' | '==';

export interface GateResult {
  metric: string;
  op: GateOp;
  bound: number;
  value: number | null;
  split: string;
  passed: boolean;
}

const GATE_RE = /^\s*(>=|<=|>|<|==)\s*(-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?)\s*$/i;

export function parseGate(metric: string, expr: string): { op: GateOp; bound: number } {
  const m = GATE_RE.exec(expr);
  if (!m) throw new SomaError('CONFIG_INVALID', `gate ${metric}: cannot read ${JSON.stringify(expr)} (expected a comparison like ">= 0.9")`);
  return { op: m[1] as GateOp, bound: Number(m[2]) };
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

export function evaluateGates(gates: Record<string, string>, metrics: Record<string, number>, split: string): GateResult[] {
  return Object.entries(gates).map(([metric, expr]) => {
    const { op, bound } = parseGate(metric, expr);
    const value = metrics[metric];
    const present = value !== undefined && !Number.isNaN(value);
    return { metric, op, bound, value: present ? value : null, split, passed: present && holds(value, op, bound) };
  });
}

export function formatGate(g: GateResult): string {
  const v = g.value === null ? 'not computed' : g.value.toPrecision(4);
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

/** `--fail-under f1_macro=0.9` -> {f1_macro: ">= 0.9"}; `--fail-over rmse=3.5` -> {rmse: "<= 3.5"}. */
export function gatesFromFlags(under: readonly string[], over: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (flag: string, op: GateOp) => (s: string) => {
    const eq = s.indexOf('=');
    const bound = Number(s.slice(eq + 1));
    if (eq <= 0 || s.slice(eq + 1).trim() === '' || Number.isNaN(bound)) {
      throw new SomaError('USAGE', `${flag} ${s}: expected METRIC=VALUE (e.g. ${flag} f1_macro=0.9)`);
    }
    out[s.slice(0, eq)] = `${op} ${bound}`;
  };
  under.forEach(add('--fail-under', '>='));
  over.forEach(add('--fail-over', '<='));
  return out;
}
