// The objective of a search: the cross-validated score of one candidate (model family, model
// params, preprocessing params). Each fold fits its own preprocessing pipeline on the fold's
// training rows only, so no statistic of the held-out rows leaks into the score.
// The same code runs in this thread (n_jobs 1) and in worker threads, from one plain payload.

import type { Column } from '../data/frame.js';
import { Frame } from '../data/frame.js';
import type { Fold } from '../data/folds.js';
import { takeTarget, type Target, type Task } from '../tasks/task.js';
import { createEstimator, findEstimator } from '../models/catalog.js';
import { registerBuiltinEstimators } from '../models/index.js';
import { Pipeline, type StepConfig } from '../preprocess/pipeline.js';
import type { Job, JobOutcome } from '../search/scheduler.js';
import { FAMILY_PARAM, type Params } from '../search/space.js';
import type { JsonObject } from '../util/json.js';
import { scoreSplit } from './scoring.js';
import { registerBuiltinTasks } from '../tasks/index.js';
import { findTask } from '../tasks/registry.js';
import type { SplitScore, TaskSpec } from '../tasks/spec.js';

/** Everything a trial needs; plain data (typed arrays, strings) so it crosses to workers. */
export interface ObjectivePayload {
  columns: Column[];
  target: string;
  task: Task;
  classes: string[];
  /** Columns that are never features (target, id, dropped). */
  nonFeatures: string[];
  preprocess: StepConfig[];
  family: string;
  /** model.params of the config, per family (a list of families shares them where they apply). */
  baseParams: Record<string, JsonObject>;
  folds: Fold[];
  metric: string;
  /** Metrics reported per trial (mean and std over folds); `metric` among them. */
  metrics: string[];
  seed: number;
  /** Hyperband: the model param a job's budget sets. */
  budgetParam?: string;
}

/** A concrete candidate: what a trial's params mean for the model and the pipeline. */
export interface Candidate {
  family: string;
  params: JsonObject;
  preprocess: StepConfig[];
}

/**
 * Applies a trial's params to the config's model and steps. Keys: `model.type`; `model.params.x`
 * or `x` (model param); `preprocess.<index>.<param>` or `preprocess.<step name>.<param>` (every
 * step of that name).
 */
export function applyParams(params: Params, base: { family: string; baseParams: Record<string, JsonObject>; preprocess: readonly StepConfig[] }): Candidate {
  const family = typeof params[FAMILY_PARAM] === 'string' ? (params[FAMILY_PARAM] as string) : base.family;
  const modelParams: JsonObject = { ...(base.baseParams[family] ?? {}) };
  const preprocess = base.preprocess.map((s) => ({ name: s.name, params: { ...s.params } }));
  for (const [key, value] of Object.entries(params)) {
    if (key === FAMILY_PARAM) continue;
    if (key.startsWith('preprocess.')) {
      const [, which, ...rest] = key.split('.');
      const param = rest.join('.');
      const steps = /^\d+$/.test(which!) ? [preprocess[Number(which)]] : preprocess.filter((s) => s.name === which);
      for (const s of steps) if (s) s.params[param] = value;
      continue;
    }
    const name = key.startsWith('model.params.') ? key.slice('model.params.'.length) : key;
    // When families compete, a shared param only applies to the families that have it.
    if (FAMILY_PARAM in params && !familyParams(family).includes(name)) continue;
    modelParams[name] = value;
  }
  return { family, params: modelParams, preprocess };
}

function familyParams(family: string): string[] {
  const props = findEstimator(family).paramsSchema['properties'];
  return props && typeof props === 'object' && !Array.isArray(props) ? Object.keys(props) : [];
}

/** Builds the runner of jobs for a payload (once per thread). */
export function cvRunner(payload: ObjectivePayload): (job: Job) => Promise<JobOutcome> {
  registerBuiltinEstimators();
  registerBuiltinTasks();
  const task = findTask(payload.task);
  const frame = new Frame(payload.columns);
  const y = task.target.encode(frame, payload.target, payload.classes, 'search data');
  const features = frame.drop(payload.nonFeatures);
  // Fold frames are cut once and reused by every trial.
  const folds = payload.folds.map((f) => ({
    train: features.take(f.train),
    test: features.take(f.test),
    yTrain: takeTarget(y, f.train),
    yTest: takeTarget(y, f.test),
  }));
  return async (job) => {
    const c = applyParams(job.params, payload);
    // A family without the budget param (logistic among tree families) trains in full at every rung.
    if (job.budget !== undefined && payload.budgetParam && familyParams(c.family).includes(payload.budgetParam)) c.params[payload.budgetParam] = job.budget;
    const perMetric = new Map<string, number[]>();
    let why: string | undefined;
    for (const f of folds) {
      const scored = await scoreFold(task, c, payload, f.train, f.yTrain, f.test, f.yTest);
      why ??= scored.undefined?.[payload.metric];
      for (const [k, v] of Object.entries(scored.metrics)) {
        let list = perMetric.get(k);
        if (!list) perMetric.set(k, (list = []));
        list.push(v);
      }
    }
    const summary: Record<string, { mean: number; std: number }> = {};
    for (const [k, values] of perMetric) {
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
      summary[k] = { mean, std };
    }
    const main = summary[payload.metric];
    if (!main || !Number.isFinite(main.mean)) {
      return { ok: false, error: `metric ${payload.metric} is undefined on every fold (${why ?? 'e.g. a class missing from the held-out rows'})` };
    }
    return { ok: true, score: main.mean, metrics: summary };
  };
}

async function scoreFold(task: TaskSpec, c: Candidate, payload: ObjectivePayload, train: Frame, yTrain: Target, test: Frame, yTest: Target): Promise<SplitScore> {
  const spec = findEstimator(c.family);
  const pipeline = Pipeline.fromConfig(c.preprocess, { nativeCategorical: spec.nativeCategorical, seed: payload.seed });
  const fit = pipeline.fit(train, { target: yTrain });
  const model = createEstimator(c.family, c.params, payload.task);
  await model.fit(fit.X, pipeline.transformTarget(fit.y ?? yTrain));
  return scoreSplit(task, pipeline.wrapEstimator(model), pipeline.transform(test), yTest, payload.metrics);
}
