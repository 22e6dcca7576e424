// `soma models rollout NAME --to staging --steps 10,25,50,100 --every 10m`: moves a model's
// traffic from one alias's version to another's in steps, through `<model>/routes.json` (which
// every `soma serve` of the model watches), judging each step from the prediction log.
//
// At each step the new arm gets the step's share (the old arm the rest; the new one is listed
// last, so a request key that moved to it stays there as it grows); after `every` the step's
// records are read back: if the new arm has at least `minRequests` of them and its error rate
// (answers 5xx, or 422: data its contract refused) exceeds the old arm's by more than
// `maxErrorRate`, or its p99 latency exceeds the old arm's by more than `maxP99Ms`, the rollout
// rolls back by itself: routes.json is removed, so servers route by their REF (the old alias)
// again, and the command exits 4. When a step reaches 100, the old alias is promoted to the new
// version (unless promote is off) and routes.json removed. Every change is an event in
// events.jsonl (rollout_started, rollout_step, rollout_completed, rollout_rolled_back, and the
// promotion's own `promoted`). An interrupt (Ctrl-C) rolls back as well.

import { join } from 'node:path';
import { SomaError } from '../errors.js';
import type { PredictionLogRecord } from '../monitor/prediction-log.js';
import { promoteAlias } from '../registry/lifecycle.js';
import { readPredictionLog } from '../registry/prediction-log-files.js';
import { normalizeAlias, normalizeModelName } from '../registry/ref.js';
import { readRoutes, writeRoutes } from '../registry/routes.js';
import { Registry } from '../registry/store.js';

export interface RolloutOptions {
  registryDir: string;
  name: string;
  /** The alias whose version takes over (e.g. staging). */
  to: string;
  /** The alias whose version serves now (default production). */
  from?: string;
  /** Shares of traffic for the new version, in percent, increasing (default 10, 25, 50, 100). */
  steps?: number[];
  /** How long each step lasts before it is judged. */
  everyMs: number;
  /** Largest excess of the new arm's error rate over the old one's (default 0.01). */
  maxErrorRate?: number;
  /** Largest excess of the new arm's p99 latency over the old one's, in ms (default: not judged). */
  maxP99Ms?: number;
  /** Requests the new arm needs in a step before it is judged (default 20). */
  minRequests?: number;
  /** The prediction log root servers were given with --log-dir (default: the model's serving/ directory). */
  logDir?: string;
  /** Promote `from` to the new version at 100% (default true). */
  promote?: boolean;
  reason?: string;
  command?: string;
  signal?: AbortSignal;
  onStep?: (step: StepReport) => void;
}

export interface ArmStats {
  requests: number;
  errors: number;
  error_rate: number;
  p99_ms: number | null;
}

export interface StepReport {
  step: number;
  weight: number;
  /** null while the step runs; its judgement once `every` has passed. */
  old: ArmStats | null;
  new: ArmStats | null;
  verdict: 'running' | 'passed' | 'not_enough_traffic' | 'failed';
  why?: string;
}

export interface RolloutResult {
  name: string;
  from: { alias: string; version: string };
  to: { alias: string; version: string };
  outcome: 'completed' | 'rolled_back';
  steps: StepReport[];
  why?: string;
}

export const DEFAULT_STEPS = [10, 25, 50, 100];

export async function rollout(o: RolloutOptions): Promise<RolloutResult> {
  const registry = new Registry(o.registryDir);
  const name = normalizeModelName(o.name);
  const fromAlias = normalizeAlias(o.from ?? 'production');
  const toAlias = normalizeAlias(o.to);
  const steps = o.steps ?? DEFAULT_STEPS;
  checkSteps(steps);
  const bounds = { maxErrorRate: o.maxErrorRate ?? 0.01, maxP99Ms: o.maxP99Ms, minRequests: o.minRequests ?? 20 };
  const fromVersion = (await registry.resolve(`${name}@${fromAlias}`)).version;
  const toVersion = (await registry.resolve(`${name}@${toAlias}`)).version;
  if (fromVersion === toVersion) {
    throw new SomaError('USAGE', `${name}@${toAlias} and ${name}@${fromAlias} are the same version (${toVersion}); nothing to roll out`);
  }
  const existing = await readRoutes(registry, name);
  if (existing?.rollout) {
    throw new SomaError('REGISTRY_CONFLICT', `${name} already has a rollout in progress (${JSON.stringify(existing.rollout['to'] ?? '?')}); let it finish or remove ${name}/routes.json`, {
      details: { routes: existing as unknown as Record<string, unknown> },
    });
  }
  const logDir = o.logDir ? join(o.logDir, name) : join(registry.modelDir(name), 'serving');
  const reason = o.reason !== undefined && o.reason.trim() !== '' ? o.reason : null;
  const lock = { ...(o.command !== undefined ? { command: o.command } : {}) };
  const state = { from: fromAlias, to: toAlias, from_version: fromVersion, to_version: toVersion, steps, every_s: o.everyMs / 1000, started_at: new Date().toISOString() };
  const result: RolloutResult = { name, from: { alias: fromAlias, version: fromVersion }, to: { alias: toAlias, version: toVersion }, outcome: 'completed', steps: [] };
  await registry.appendEvent(name, { event: 'rollout_started', alias: fromAlias, from: fromVersion, to: toVersion, version: toVersion, steps, every_s: o.everyMs / 1000, max_error_rate: bounds.maxErrorRate, max_p99_ms: bounds.maxP99Ms ?? null, reason });

  const rollBack = async (why: string): Promise<RolloutResult> => {
    await writeRoutes(registry, name, null, { event: 'rollout_rolled_back', alias: fromAlias, from: toVersion, to: fromVersion, version: fromVersion, why, reason }, lock);
    return { ...result, outcome: 'rolled_back', why };
  };

  for (const step of steps) {
    const stepStart = new Date().toISOString();
    await writeRoutes(
      registry,
      name,
      {
        arms: [
          { arm: fromAlias, version: fromVersion, weight: 100 - step },
          { arm: toAlias, version: toVersion, weight: step },
        ],
        shadow: [],
        rollout: { ...state, step, step_started_at: stepStart },
      },
      { event: 'rollout_step', alias: fromAlias, from: fromVersion, to: toVersion, version: toVersion, weight: step, reason },
      lock,
    );
    const report: StepReport = { step, weight: step, old: null, new: null, verdict: 'running' };
    result.steps.push(report);
    o.onStep?.(report);
    if (step >= 100) break;
    if (!(await sleep(o.everyMs, o.signal))) return rollBack('interrupted');
    const { records } = await readPredictionLog(logDir, stepStart);
    const judged = judgeStep(records, { alias: fromAlias, version: fromVersion }, { alias: toAlias, version: toVersion }, bounds);
    Object.assign(report, judged);
    o.onStep?.(report);
    if (judged.verdict === 'failed') return rollBack(judged.why!);
  }

  if (o.promote ?? true) {
    await promoteAlias(registry, name, toVersion, fromAlias, { reason: reason ?? `rollout from ${fromAlias} to ${toAlias}`, ...lock });
  }
  await writeRoutes(
    registry,
    name,
    (o.promote ?? true) ? null : { arms: [{ arm: toAlias, version: toVersion, weight: 100 }], shadow: [], rollout: null },
    { event: 'rollout_completed', alias: fromAlias, from: fromVersion, to: toVersion, version: toVersion, promoted: o.promote ?? true, reason },
    lock,
  );
  return result;
}

/** The verdict on one step's records of the two arms (by arm label and version). */
export function judgeStep(
  records: readonly PredictionLogRecord[],
  old: { alias: string; version: string },
  next: { alias: string; version: string },
  bounds: { maxErrorRate: number; maxP99Ms?: number | undefined; minRequests: number },
): Pick<StepReport, 'old' | 'new' | 'verdict' | 'why'> {
  const oldStats = statsOf(records.filter((r) => r.arm === old.alias && r.version === old.version));
  const newStats = statsOf(records.filter((r) => r.arm === next.alias && r.version === next.version));
  if (newStats.requests < bounds.minRequests) {
    return { old: oldStats, new: newStats, verdict: 'not_enough_traffic', why: `${next.alias} answered ${newStats.requests} request(s), fewer than the ${bounds.minRequests} needed to judge it` };
  }
  if (newStats.error_rate > oldStats.error_rate + bounds.maxErrorRate) {
    return {
      old: oldStats,
      new: newStats,
      verdict: 'failed',
      why: `${next.alias} (${next.version}) error rate ${pct(newStats.error_rate)} exceeds ${old.alias} (${old.version}) ${pct(oldStats.error_rate)} by more than ${pct(bounds.maxErrorRate)}`,
    };
  }
  if (bounds.maxP99Ms !== undefined && newStats.p99_ms !== null && newStats.p99_ms > (oldStats.p99_ms ?? 0) + bounds.maxP99Ms) {
    return {
      old: oldStats,
      new: newStats,
      verdict: 'failed',
      why: `${next.alias} (${next.version}) p99 latency ${newStats.p99_ms} ms exceeds ${old.alias} (${old.version}) ${oldStats.p99_ms ?? 0} ms by more than ${bounds.maxP99Ms} ms`,
    };
  }
  return { old: oldStats, new: newStats, verdict: 'passed' };
}

/** Requests, errors (5xx, and 422: data the version's contract refused) and the p99 latency of answered ones. */
function statsOf(records: readonly PredictionLogRecord[]): ArmStats {
  let errors = 0;
  const latencies: number[] = [];
  for (const r of records) {
    if (r.status >= 500 || r.status === 422) errors++;
    else if (r.status < 400) latencies.push(r.latency_ms);
  }
  latencies.sort((a, b) => a - b);
  const p99 = latencies.length > 0 ? latencies[Math.min(latencies.length - 1, Math.ceil(0.99 * latencies.length) - 1)]! : null;
  return { requests: records.length, errors, error_rate: records.length > 0 ? errors / records.length : 0, p99_ms: p99 };
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

function checkSteps(steps: readonly number[]): void {
  if (steps.length === 0 || steps.some((s, i) => !(s > 0 && s <= 100) || (i > 0 && s <= steps[i - 1]!)) || steps[steps.length - 1] !== 100) {
    throw new SomaError('USAGE', `--steps ${steps.join(',')}: expected increasing percentages in (0, 100] ending at 100, e.g. 10,25,50,100`, { details: { value: steps } });
  }
}

/** Waits `ms`; false when the signal aborted it first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function renderRollout(r: RolloutResult): string {
  const lines = r.steps.map((s) => {
    const stats = s.new ? ` · ${r.to.alias} ${s.new.requests} req, ${pct(s.new.error_rate)} errors, p99 ${s.new.p99_ms ?? '-'} ms · ${r.from.alias} ${s.old!.requests} req, ${pct(s.old!.error_rate)} errors, p99 ${s.old!.p99_ms ?? '-'} ms` : '';
    return `  ${String(s.step).padStart(3)}%  ${s.verdict}${stats}${s.why && s.verdict !== 'passed' ? ` (${s.why})` : ''}`;
  });
  const head =
    r.outcome === 'completed'
      ? `✓ rolled out ${r.name} ${r.to.alias} (${r.to.version}) over ${r.from.alias} (${r.from.version})`
      : `✗ rolled back ${r.name}: ${r.why}; ${r.from.alias} (${r.from.version}) serves all traffic again`;
  return [head, ...lines].join('\n');
}
