// `soma tune` and the search step of `soma train`: load the development data (train +
// validation; the test split stays untouched), cut cross-validation folds, run the study the
// config's `search:` asks for (journalled, resumable, on worker threads when n_jobs > 1) and
// summarise it: best params, every trial, and a comparison of model families.

import { createHash } from 'node:crypto';
import { loadConfig } from '../config/load.js';
import type { LoadedConfig, SearchConfig, SomaConfig } from '../config/types.js';
import { cvFolds, foldKind, type FoldOptions } from '../data/folds.js';
import { numericValues, type Frame } from '../data/frame.js';
import { registerBuiltinTasks } from '../tasks/index.js';
import { inferTask, taskHint } from '../tasks/infer.js';
import type { TaskSpec } from '../tasks/spec.js';
import { workerUrl } from '../engine/worker-url.js';
import { SomaError } from '../errors.js';
import { metricDirection, resolveMetricNames } from '../evaluate/metrics/index.js';
import { checkSupportsTask, estimatorNames, findEstimator } from '../models/catalog.js';
import { registerBuiltinEstimators } from '../models/index.js';
import { canonicalJson } from '../registry/bump.js';
import { GpSampler } from '../search/gp.js';
import { gridPoints } from '../search/grid.js';
import { HyperbandPlan } from '../search/hyperband.js';
import { journalPath, latestStudy, StudyJournal, writeStudyFile, type TrialRecord, type TrialState } from '../search/journal.js';
import { WorkerPool } from '../search/pool.js';
import { RandomSampler } from '../search/random.js';
import { InlineExecutor, runStudy, samplerPlan, SequentialPlan, type Executor, type Job, type Plan, type StopReason } from '../search/scheduler.js';
import { FAMILY_PARAM, parseSpace, type Params, type SearchSpace } from '../search/space.js';
import { TpeSampler } from '../search/tpe.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import { suggest } from '../config/suggest.js';
import { loadDataset, type Dataset } from './dataset.js';
import { applyParams, cvRunner, type Candidate, type ObjectivePayload } from './search-objective.js';
import { stackFrames } from './search-frames.js';
import { commonTasks } from './target.js';
import path from 'node:path';

export interface SearchRunOptions {
  /** Where study run directories live: `<runsDir>/<model name>/<study>/`. */
  runsDir: string;
  /** Study name (default: search.study, else a new timestamp; with resume, the latest study). */
  study?: string;
  resume?: boolean;
  /** Overrides search.n_jobs. */
  nJobs?: number;
  onStart?: (job: Job) => void;
  onTrial?: (trial: TrialSummary, replayed: boolean) => void;
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
}

export interface TuneOptions extends SearchRunOptions {
  config: string;
  sets?: readonly string[];
}

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
  duration_s?: number;
}

export interface FamilyRow {
  family: string;
  trials: number;
  failed: number;
  best_score: number | null;
  mean_score: number | null;
  best_trial: number | null;
}

export interface SearchOutcome {
  study: string;
  dir: string;
  journal: string;
  method: SearchConfig['method'];
  metric: string;
  direction: 'maximize' | 'minimize';
  cv: { folds: number; kind: string; rows: number };
  n_jobs: number;
  seed: number;
  best: { number: number; params: Params; score: number; metrics?: Record<string, { mean: number; std: number }> } | undefined;
  /** The best trial applied to the config: what a refit trains. */
  candidate: Candidate | undefined;
  trials: TrialSummary[];
  families: FamilyRow[];
  stopped: StopReason;
  replayed: number;
  interrupted: number;
  seconds: number;
}

/** `soma tune`: search only. */
export async function tune(options: TuneOptions): Promise<SearchOutcome> {
  registerBuiltinEstimators();
  registerBuiltinTasks();
  const loaded = await loadConfig(options.config, { sets: options.sets ?? [] });
  if (!loaded.config.search) {
    throw new SomaError('CONFIG_INVALID', `${options.config}: no search: section to tune`, {
      hint: 'add e.g. search: {method: bayesian, trials: 30, space: {max_depth: {int: [3, 10]}}}',
    });
  }
  const task = searchTask(loaded.config);
  const data = await loadDataset(loaded.config, loaded.dir, task);
  data.warnings.forEach((w) => options.onWarning?.(w));
  return runSearch(loaded, data, options);
}

/**
 * The search step of `soma train`: runs a new study and rewrites the config's model and
 * preprocessing to the best trial; `refitData` then folds validation into train for the refit.
 * Undefined without a `search:` section.
 */
export async function searchBeforeTrain(loaded: LoadedConfig, options: SearchRunOptions): Promise<TrainSearch | undefined> {
  if (!loaded.config.search) return undefined;
  registerBuiltinEstimators();
  registerBuiltinTasks();
  const task = searchTask(loaded.config);
  const data = await loadDataset(loaded.config, loaded.dir, task);
  const outcome = await runSearch(loaded, data, options);
  if (!outcome.candidate || !outcome.best) {
    throw new SomaError('DATA_BAD_VALUE', `search: no trial of study ${outcome.study} succeeded (${outcome.trials.length} failed)`, {
      hint: `see the errors in ${outcome.journal}`,
      details: { trials: outcome.trials.slice(0, 5).map((t) => ({ number: t.number, error: t.error ?? null })) },
    });
  }
  const c = outcome.candidate;
  loaded.config.model.type = c.family;
  loaded.config.model.candidates = [c.family];
  loaded.config.model.params = c.params;
  loaded.config.preprocess = c.preprocess;
  // The group column only defined the folds; the refit leaves it out as the folds did.
  const groups = loaded.config.search.cv.groups;
  if (groups && !loaded.config.data.drop.includes(groups)) loaded.config.data.drop.push(groups);
  return new TrainSearch(outcome);
}

/**
 * `soma train`'s entry: tunes when the config has `search:` (journal under $SOMA_RUNS, else
 * <cwd>/artifacts/runs), else does nothing and returns undefined.
 */
export async function searchForTrain(
  loaded: LoadedConfig,
  options: { cwd: string; onWarning?: (message: string) => void; signal?: AbortSignal },
): Promise<TrainSearch | undefined> {
  if (!loaded.config.search) {
    if (loaded.config.model.candidates.length > 1) {
      throw new SomaError('CONFIG_INVALID', `model.type: a list of families (${loaded.config.model.candidates.join(', ')}) needs a search: section to choose among them`, {
        hint: 'add search: {method: random, trials: 20, space: {...}} or give one family',
      });
    }
    return undefined;
  }
  const env = process.env['SOMA_RUNS'];
  return searchBeforeTrain(loaded, {
    runsDir: path.resolve(options.cwd, env && env.trim() !== '' ? env : 'artifacts/runs'),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** What train records about its search: the summary in metadata, the history as search.json. */
export class TrainSearch {
  constructor(readonly outcome: SearchOutcome) {}

  /** The refit trains on train + validation, as the folds did; validation metrics give way to CV. */
  refitData(data: Dataset): void {
    data.train = stackFrames(data.train, data.validation);
    data.validation = data.validation.take(new Int32Array(0));
  }

  /** `summary.search` of the version's metadata. */
  get summary(): JsonObject {
    const o = this.outcome;
    return {
      study: o.study,
      method: o.method,
      metric: o.metric,
      direction: o.direction,
      cv: o.cv,
      trials: o.trials.length,
      failed: o.trials.filter((t) => t.state === 'failed').length,
      best: o.best as unknown as JsonObject,
      ...(o.families.length > 1 ? { families: o.families as unknown as JsonValue } : {}),
      journal: o.journal,
      seconds: o.seconds,
    };
  }

  /** The full trial history (search.json beside the model). */
  get history(): JsonObject {
    return searchJson(this.outcome);
  }
}

/** The JSON of a study: what `soma tune --json` prints and search.json holds. */
export function searchJson(o: SearchOutcome): JsonObject {
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

/** The tasks every candidate family supports: what the search's task is inferred from. */
function candidateTasks(config: SomaConfig): string[] {
  return commonTasks(config.model.candidates.map(findEstimator));
}

/** The task known before the data is read, decided as train decides it but over every candidate family. */
function searchTask(config: SomaConfig): TaskSpec | undefined {
  return taskHint(config.task, candidateTasks(config));
}

export async function runSearch(loaded: LoadedConfig, data: Dataset, options: SearchRunOptions): Promise<SearchOutcome> {
  const t0 = performance.now();
  const { config } = loaded;
  const search = config.search!;
  const families = config.model.candidates;
  const dev = stackFrames(data.train, data.validation);
  const targetCol = dev.column(config.data.target)!;
  const taskSpec = inferTask(config.task, candidateTasks(config), targetCol);
  const task = taskSpec.name;
  for (const f of families) checkSupportsTask(findEstimator(f), task, f);
  const classes = taskSpec.target.labels(targetCol);
  const metric = search.metric ?? config.evaluate.metrics?.[0] ?? taskSpec.searchMetric;
  resolveMetricNames(task, [metric]);
  const direction = search.direction ?? metricDirection(metric);
  const metrics = resolveMetricNames(task, [metric, ...(config.evaluate.metrics ?? resolveMetricNames(task))]);

  const space = parseSpace(search.space, families.length > 1 ? families : [], new Set(estimatorNames()));
  checkSpace(space, families, config);
  const baseParams: Record<string, JsonObject> = {};
  for (const f of families) baseParams[f] = paramsFor(f, config.model.params, families.length > 1);

  const folds = cvFolds(dev.rows, foldOptions(dev, search, taskSpec, config));
  const budgetParam = search.method === 'hyperband' ? (search.hyperband.resource ?? defaultResource(families)) : undefined;
  const payload: ObjectivePayload = {
    columns: [...dev.columns],
    target: config.data.target,
    task,
    classes,
    nonFeatures: [config.data.target, ...(config.data.id ? [config.data.id] : []), ...config.data.drop, ...(search.cv.groups ? [search.cv.groups] : [])],
    preprocess: config.preprocess,
    family: families[0]!,
    baseParams,
    folds,
    metric,
    metrics,
    seed: config.seed,
    ...(budgetParam ? { budgetParam } : {}),
  };

  const fingerprint = sha256(
    canonicalJson({
      space: search.space,
      method: search.method,
      metric,
      direction,
      cv: search.cv as unknown as JsonObject,
      seed: search.seed,
      batch: search.batch ?? null,
      startup: search.startup ?? null,
      hyperband: search.hyperband as unknown as JsonObject,
      families,
      params: baseParams,
      preprocess: config.preprocess as unknown as JsonValue,
      data: data.sha256,
      rows: dev.rows,
      split: config.data.split as unknown as JsonObject,
    }),
  );
  const study = options.study ?? search.study ?? (options.resume ? latestStudy(options.runsDir, config.name) : undefined) ?? timestampName();
  const file = journalPath(options.runsDir, config.name, study);
  const trialsAsked = search.trials ?? 30;
  const journal = StudyJournal.open(
    file,
    { study, fingerprint, method: search.method, metric, direction, seed: search.seed, ...(search.method === 'bayesian' || search.method === 'tpe' ? { startup: search.startup ?? defaultStartup(trialsAsked) } : {}) },
    { resume: options.resume ?? false },
  );

  const nJobs = Math.max(1, options.nJobs ?? search.nJobs);
  const plan = makePlan(search, space, direction, budgetParam, config.model.params, journal.header.startup);
  let executor: Executor | undefined;
  let records: TrialRecord[];
  let stopped: StopReason;
  let replayed: number;
  try {
    executor = nJobs > 1 ? new WorkerPool(workerUrl(import.meta.url, './search-worker.js'), payload, nJobs) : new InlineExecutor(cvRunner(payload));
    ({ records, stopped, replayed } = await runStudy({
      plan,
      executor,
      journal,
      ...(search.timeout !== undefined ? { timeoutS: search.timeout } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onStart ? { onStart: options.onStart } : {}),
      onRecord: (r, wasReplayed) => options.onTrial?.(toSummary(r), wasReplayed),
    }));
  } finally {
    journal.close();
    await executor?.close();
  }
  if (stopped === 'aborted') {
    throw new SomaError('ABORTED', `search interrupted; study ${study} can be resumed`, { hint: `soma tune -c ${path.relative(process.cwd(), loaded.path) || loaded.path} --resume` });
  }

  const trials = summarise(records, search.method === 'hyperband');
  const best = bestTrial(trials, direction, search.method === 'hyperband');
  const outcome: SearchOutcome = {
    study,
    dir: path.dirname(file),
    journal: file,
    method: search.method,
    metric,
    direction,
    cv: { folds: folds.length, kind: foldKind(foldOptions(dev, search, taskSpec, config)), rows: dev.rows },
    n_jobs: nJobs,
    seed: search.seed,
    best: best ? { number: best.number, params: best.params, score: best.score!, ...(best.metrics ? { metrics: best.metrics } : {}) } : undefined,
    candidate: best ? applyParams(best.params, payload) : undefined,
    trials,
    families: familyTable(trials, families, direction),
    stopped,
    replayed,
    interrupted: journal.interrupted,
    seconds: +((performance.now() - t0) / 1000).toFixed(3),
  };
  writeStudyFile(outcome.dir, 'study.json', searchJson(outcome));
  return outcome;
}

function makePlan(search: SearchConfig, space: SearchSpace, direction: 'maximize' | 'minimize', budgetParam: string | undefined, params: JsonObject, startupOfStudy: number | undefined): Plan {
  switch (search.method) {
    case 'grid': {
      const points = gridPoints(space);
      const n = Math.min(search.trials ?? points.length, points.length);
      // Grid points never depend on outcomes: one batch, nothing ever waits.
      return new SequentialPlan((k) => points[k]!, n, Math.max(1, n), direction);
    }
    case 'random': {
      const n = search.trials ?? 30;
      return samplerPlan(new RandomSampler(space), search.seed, n, Math.max(1, n), direction);
    }
    case 'bayesian':
    case 'tpe': {
      const n = search.trials ?? 30;
      const startup = startupOfStudy ?? search.startup ?? defaultStartup(n);
      const sampler = search.method === 'tpe' ? new TpeSampler(space, { startup, seed: search.seed }) : new GpSampler(space, { startup, seed: search.seed });
      // Start-up trials are random and do not wait; later ones wait for the batch before theirs.
      return samplerPlan(sampler, search.seed, n, search.batch ?? DEFAULT_BATCH, direction, startup);
    }
    case 'hyperband': {
      const configured = budgetParam ? params[budgetParam] : undefined;
      const max = search.hyperband.max ?? (typeof configured === 'number' ? configured : 100);
      return new HyperbandPlan(new RandomSampler(space), {
        seed: search.seed,
        trials: search.trials,
        min: search.hyperband.min ?? Math.max(1, Math.round(max / search.hyperband.eta ** 3)),
        max,
        eta: search.hyperband.eta,
        direction,
      });
    }
  }
}

/**
 * Bayesian trials are suggested in batches of this many from the same history, whatever n_jobs
 * is, so up to 4 run in parallel and the study is the same for any n_jobs. (On the benchmark
 * functions batches of 4 find optima as good as batches of 1; see bench/RESULTS.md.)
 */
export const DEFAULT_BATCH = 4;

/** About a quarter of the budget explores at random first, within 5 to 12 trials. */
export function defaultStartup(trials: number): number {
  return Math.max(1, Math.min(trials, Math.max(5, Math.min(12, Math.round(trials / 4)))));
}

function defaultResource(families: readonly string[]): string {
  return families.every((f) => findEstimator(f).name === 'mlp') ? 'epochs' : 'n_estimators';
}

/** model.params for one family: all of them, or only those the family knows when families compete. */
function paramsFor(family: string, params: JsonObject, filter: boolean): JsonObject {
  if (!filter) return { ...params };
  const known = schemaProperties(family);
  return Object.fromEntries(Object.entries(params).filter(([k]) => known.includes(k)));
}

function schemaProperties(family: string): string[] {
  const props = findEstimator(family).paramsSchema['properties'];
  return props && typeof props === 'object' && !Array.isArray(props) ? Object.keys(props) : [];
}

/** Every model param in the space must exist in a family it applies to; preprocess keys must name a step. */
function checkSpace(space: SearchSpace, families: readonly string[], config: SomaConfig): void {
  for (const d of space.dims) {
    if (d.name === FAMILY_PARAM) continue;
    if (d.name.startsWith('preprocess.')) {
      const [, which, param] = d.name.split('.');
      const ok = /^\d+$/.test(which!) ? Number(which) < config.preprocess.length : config.preprocess.some((s) => s.name === which);
      if (!ok || !param) {
        throw new SomaError('CONFIG_INVALID', `search.space.${d.name}: no preprocessing step "${which}" (expected preprocess.<index or step name>.<param>; steps: ${config.preprocess.map((s, i) => `${i}:${s.name}`).join(', ') || 'none'})`);
      }
      continue;
    }
    const name = d.name.startsWith('model.params.') ? d.name.slice('model.params.'.length) : d.name;
    const applies = d.condition ? d.condition.values.map(String) : families;
    const known = [...new Set(applies.flatMap(schemaProperties))];
    if (!known.includes(name)) {
      const near = suggest(name, known);
      throw new SomaError('CONFIG_INVALID', `search.space.${d.name}: ${applies.join(', ')} ha${applies.length > 1 ? 've' : 's'} no param "${name}" (expected one of ${known.join(', ')})`, {
        ...(near ? { hint: `did you mean "${near}"?` } : {}),
      });
    }
  }
}

function foldOptions(dev: Frame, search: SearchConfig, task: TaskSpec, config: SomaConfig): FoldOptions {
  const o: FoldOptions = { folds: search.cv.folds, seed: search.seed, shuffle: search.cv.shuffle };
  if (search.cv.time) {
    const c = dev.column(search.cv.time);
    if (!c || (c.type !== 'datetime' && c.type !== 'numeric')) {
      throw new SomaError(c ? 'CONFIG_INVALID' : 'DATA_MISSING_COLUMN', `search.cv.time: column "${search.cv.time}" ${c ? `is ${c.type} (expected datetime or numeric)` : 'not found'}`);
    }
    o.times = c.values;
  } else if (search.cv.groups) {
    const c = dev.column(search.cv.groups);
    if (!c) throw new SomaError('DATA_MISSING_COLUMN', `search.cv.groups: column "${search.cv.groups}" not found (columns: ${dev.names.join(', ')})`);
    o.groups = codesOf(c);
  } else if (task.stratify && search.cv.stratify) {
    o.stratify = codesOf(dev.column(config.data.target)!);
  }
  return o;
}

/** Integer codes of any column (equal values, equal codes). */
function codesOf(c: NonNullable<ReturnType<Frame['column']>>): Int32Array {
  if (c.type === 'categorical') return c.codes;
  const values = c.type === 'text' ? c.values : numericValues(c);
  const codes = new Int32Array(values.length);
  const index = new Map<string | number | null, number>();
  for (let i = 0; i < codes.length; i++) {
    const v = values[i]!;
    const key = typeof v === 'number' && Number.isNaN(v) ? null : v;
    let code = index.get(key);
    if (code === undefined) index.set(key, (code = index.size));
    codes[i] = code;
  }
  return codes;
}

function toSummary(r: TrialRecord): TrialSummary {
  return {
    number: r.trial,
    params: r.params,
    score: r.score ?? null,
    state: r.state,
    ...(r.metrics ? { metrics: r.metrics } : {}),
    ...(r.budget !== undefined ? { budget: r.budget } : {}),
    ...(r.error ? { error: r.error } : {}),
    ...(r.duration_s !== undefined ? { duration_s: r.duration_s } : {}),
  };
}

/** One summary per trial; Hyperband trials are reported at their last rung, pruned if below the top. */
function summarise(records: readonly TrialRecord[], hyperband: boolean): TrialSummary[] {
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

function bestTrial(trials: readonly TrialSummary[], direction: 'maximize' | 'minimize', hyperband: boolean): TrialSummary | undefined {
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

function familyTable(trials: readonly TrialSummary[], families: readonly string[], direction: 'maximize' | 'minimize'): FamilyRow[] {
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

function timestampName(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
