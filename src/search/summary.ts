// What a study reports once it has run: one summary per trial, the best trial, a comparison of
// the model families it searched over, and the JSON of it all (`soma tune --json`, study.json
// beside the journal, search.json beside a model trained with `search:`).

import type { JsonObject, JsonValue } from '../util/json.js';
import type { TrialRecord, TrialState } from './journal.js';
import type { PlanSettings } from './plan.js';
import type { StopReason } from './scheduler.js';
import { FAMILY_PARAM, type Params } from './space.js';

/** One trial as reported (`--json` trials, search.json). */
export interface TrialSummary {
  number: number;
  params: Params;
  score: number | null;
  state: Exclude<TrialState, 'running'>;
  metrics?: Record<string, { mean: number; std: number }>;
  /** Hyperband: the budget of the last rung the trial reached. */
  budget?: number;
  error?: string;
  /** The SomaError code of a failure, when it was one. */
  code?: string;
  duration_s?: number;
}

/** How one model family fared in a study over several. */
export interface FamilyRow {
  family: string;
  trials: number;
  failed: number;
  best_score: number | null;
  mean_score: number | null;
  best_trial: number | null;
}

/** A finished (or timed-out) study, as its JSON reports it. */
export interface StudySummary {
  study: string;
  journal: string;
  method: PlanSettings['method'];
  metric: string;
  direction: 'maximize' | 'minimize';
  cv: { folds: number; kind: string; rows: number };
  n_jobs: number;
  seed: number;
  best: { number: number; params: Params; score: number; metrics?: Record<string, { mean: number; std: number }> } | undefined;
  trials: TrialSummary[];
  families: FamilyRow[];
  stopped: StopReason;
  replayed: number;
  interrupted: number;
  seconds: number;
}

export function toSummary(r: TrialRecord): TrialSummary {
  return {
    number: r.trial,
    params: r.params,
    score: r.score ?? null,
    state: r.state,
    ...(r.metrics ? { metrics: r.metrics } : {}),
    ...(r.budget !== undefined ? { budget: r.budget } : {}),
    ...(r.error ? { error: r.error } : {}),
    ...(r.code ? { code: r.code } : {}),
    ...(r.duration_s !== undefined ? { duration_s: r.duration_s } : {}),
  };
}

/** One summary per trial; Hyperband trials are reported at their last rung, pruned if below the top. */
export function summarise(records: readonly TrialRecord[], hyperband: boolean): TrialSummary[] {
  if (!hyperband) return records.map(toSummary);
  const maxRung = new Map<number, TrialRecord>();
  let top = 0;
  for (const r of records) {
    const prev = maxRung.get(r.trial);
    if (!prev || r.rung > prev.rung) maxRung.set(r.trial, r);
    top = Math.max(top, r.budget ?? 0);
  }
  return [...maxRung.values()]
    .sort((a, b) => a.trial - b.trial)
    .map((r) => {
      const s = toSummary(r);
      if (s.state === 'complete' && (r.budget ?? 0) < top) s.state = 'pruned';
      return s;
    });
}

/** The best complete trial (the first of equals); for Hyperband, a pruned one only when none ran at full budget. */
export function bestTrial(trials: readonly TrialSummary[], direction: 'maximize' | 'minimize', hyperband: boolean): TrialSummary | undefined {
  let best: TrialSummary | undefined;
  for (const t of trials) {
    if (t.state !== 'complete' || t.score === null) continue;
    if (!best || (direction === 'maximize' ? t.score > best.score! : t.score < best.score!)) best = t;
  }
  // Hyperband trials that were pruned never ran at full budget; fall back to them only if none did.
  if (!best && hyperband) {
    for (const t of trials) if (t.score !== null && (!best || (direction === 'maximize' ? t.score > best.score! : t.score < best.score!))) best = t;
  }
  return best;
}

/** One row per family, best first (families without a scored trial last). */
export function familyTable(trials: readonly TrialSummary[], families: readonly string[], direction: 'maximize' | 'minimize'): FamilyRow[] {
  return families.map((family, i) => {
    const mine = trials.filter((t) => (t.params[FAMILY_PARAM] ?? families[0]) === family || (families.length === 1 && i === 0));
    const scored = mine.filter((t) => t.state !== 'failed' && t.score !== null);
    const scores = scored.map((t) => t.score!);
    const bestT = scored.reduce<TrialSummary | undefined>((b, t) => (!b || (direction === 'maximize' ? t.score! > b.score! : t.score! < b.score!) ? t : b), undefined);
    return {
      family,
      trials: mine.length,
      failed: mine.filter((t) => t.state === 'failed').length,
      best_score: bestT?.score ?? null,
      mean_score: scores.length ? scores.reduce((s, v) => s + v, 0) / scores.length : null,
      best_trial: bestT?.number ?? null,
    };
  }).sort((a, b) => (a.best_score === null ? 1 : b.best_score === null ? -1 : direction === 'maximize' ? b.best_score - a.best_score : a.best_score - b.best_score));
}

/** The JSON of a study: what `soma tune --json` prints and study.json / search.json hold. */
export function searchJson(o: StudySummary): JsonObject {
  return {
    study: o.study,
    method: o.method,
    metric: o.metric,
    direction: o.direction,
    cv: o.cv,
    n_jobs: o.n_jobs,
    seed: o.seed,
    best: (o.best ?? null) as unknown as JsonValue,
    trials: o.trials as unknown as JsonValue,
    families: o.families as unknown as JsonValue,
    stopped: o.stopped,
    replayed: o.replayed,
    interrupted: o.interrupted,
    seconds: o.seconds,
    journal: o.journal,
  };
}
