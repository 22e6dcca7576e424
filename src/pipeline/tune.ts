// `soma tune` and the search step of `soma train`: load the development data (train +
// validation; the test split stays untouched), cut cross-validation folds, run the study the
// config's `search:` asks for (journalled, resumable, on worker threads when n_jobs > 1) and
// summarise it. Which trials run is search/plan.ts; what is reported is search/summary.ts.

import path from 'node:path';
import { loadConfig } from '../config/load.js';
import type { LoadedConfig, SomaConfig } from '../config/types.js';
import { cvFolds, foldKind } from '../data/folds.js';
import { registerBuiltinTasks } from '../tasks/index.js';
import { inferTask, taskHint } from '../tasks/infer.js';
import type { TaskSpec } from '../tasks/spec.js';
import { workerUrl } from '../engine/worker-url.js';
import { isSomaErrorCode, SomaError } from '../errors.js';
import { metricDirection, resolveMetricNames } from '../evaluate/metrics/index.js';
import { checkSupportsTask, estimatorNames, findEstimator } from '../models/catalog.js';
import { registerBuiltinEstimators } from '../models/index.js';
import { canonicalJson } from '../registry/bump.js';
import { foldOptions } from '../search/cv.js';
import { checkStudyName, journalPath, latestStudy, StudyJournal, writeStudyFile, type StudyHeader, type TrialRecord } from '../search/journal.js';
import { checkStorageUrl } from '../search/pg-connect.js';
import { JournalStorage, type StudyStorage } from '../search/storage.js';
import { defaultStartup, makePlan } from '../search/plan.js';
import { WorkerPool } from '../search/pool.js';
import { InlineExecutor, runStudy, type Executor, type Job, type StopReason } from '../search/scheduler.js';
import { checkSpace } from '../search/space-check.js';
import { parseSpace } from '../search/space.js';
import { bestTrial, familyTable, searchJson, summarise, toSummary, type StudySummary, type TrialSummary } from '../search/summary.js';
import { sha256 } from '../util/hash.js';
import { shellQuote } from '../util/shell.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import { loadDataset, type Dataset } from './dataset.js';
import { trainingLabels } from './target.js';
import { requireCompleteInput } from './input-check.js';
import { Pipeline } from '../preprocess/pipeline.js';
import type { Frame } from '../data/frame.js';
import { applyParams, cvRunner, type Candidate, type ObjectivePayload } from './search-objective.js';
import { stackFrames } from './search-frames.js';
import { commonTasks } from './target.js';

export interface SearchRunOptions {
  /** Where study run directories live: `<runsDir>/<model name>/<study>/`. */
  runsDir: string;
  /** The caller's working directory: the resume hint names the config relative to it. */
  cwd?: string;
  /** Study name (default: search.study, else a new timestamp; with resume, the latest study). */
  study?: string;
  resume?: boolean;
  /** Overrides search.n_jobs. */
  nJobs?: number;
  /** Overrides search.storage: a PostgreSQL URL shares the study with other processes. */
  storage?: string;
  onStart?: (job: Job) => void;
  onTrial?: (trial: TrialSummary, replayed: boolean) => void;
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
}

export interface TuneOptions extends SearchRunOptions {
  config: string;
  sets?: readonly string[];
}

/** A study's summary plus what a refit needs: its directory and the best trial applied to the config. */
export interface SearchOutcome extends StudySummary {
  dir: string;
  /** The best trial applied to the config: what a refit trains. */
  candidate: Candidate | undefined;
}

/** `soma tune`: search only. */
export async function tune(options: TuneOptions): Promise<SearchOutcome> {
  // Before the config and the data: a study name is a directory name.
  if (options.study !== undefined) checkStudyName(options.study, '--study');
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
  const outcome = await runSearch(loaded, data, options);
  if (!outcome.best) throw noTrialSucceeded(outcome);
  return outcome;
}

/**
 * Families that cannot take missing values, checked before the study on what the refit and the
 * test scoring of `soma train` would give them (the config's steps fitted on the development
 * rows): with one family the search stops here with train's own error; among several, that
 * family's trials would all fail, which is said once.
 */
function checkFamiliesCanFit(payload: ObjectivePayload, families: readonly string[], dev: Frame, test: Frame | undefined, task: TaskSpec, onWarning: ((m: string) => void) | undefined): void {
  for (const family of families) {
    const spec = findEstimator(family);
    if (spec.acceptsMissing !== false) continue;
    const y = task.target.encode(dev, payload.target, payload.classes, 'search data');
    const pipeline = Pipeline.fromConfig(payload.preprocess, { nativeCategorical: spec.nativeCategorical, seed: payload.seed });
    const fitted = pipeline.fit(dev.drop(payload.nonFeatures), { target: y, classes: payload.classes });
    try {
      requireCompleteInput(spec, { training: fitted.X, test: test ? pipeline.transform(test.drop(payload.nonFeatures)) : undefined });
    } catch (e) {
      if (families.length === 1 || !(e instanceof SomaError)) throw e;
      onWarning?.(`every ${family} trial will fail: ${e.message}`);
    }
  }
}

/**
 * The error of a study in which no trial succeeded, shared by `soma tune` and `soma train` so
 * both stop alike: the first failure's own code (a data error exits 3, as the refit would) and
 * message, with the journal that holds the others.
 */
export function noTrialSucceeded(outcome: SearchOutcome): SomaError {
  const first = outcome.trials.find((t) => t.state === 'failed');
  const code = first?.code !== undefined && isSomaErrorCode(first.code) && first.code !== 'INTERNAL' ? first.code : 'DATA_BAD_VALUE';
  const why = first?.error ? `; trial ${first.number} failed with: ${first.error}` : '';
  return new SomaError(code, `search: no trial of study ${outcome.study} succeeded (${outcome.trials.length} failed)${why}`, {
    hint: `see every trial's error in ${outcome.journal}`,
    details: { trials: outcome.trials.slice(0, 5).map((t) => ({ number: t.number, error: t.error ?? null, code: t.code ?? null })) },
  });
}

/**
 * The search step of `soma train`: with a `search:` section, runs a new study (journal under
 * `options.runsDir`) and rewrites the config's model and preprocessing to the best trial, and
 * `refitData` then folds validation into train for the refit. Undefined without `search:`.
 */
export async function searchForTrain(loaded: LoadedConfig, options: SearchRunOptions): Promise<TrainSearch | undefined> {
  if (!loaded.config.search) {
    if (loaded.config.model.candidates.length > 1) {
      throw new SomaError('CONFIG_INVALID', `model.type: a list of families (${loaded.config.model.candidates.join(', ')}) needs a search: section to choose among them`, {
        hint: 'add search: {method: random, trials: 20, space: {...}} or give one family',
      });
    }
    return undefined;
  }
  registerBuiltinEstimators();
  registerBuiltinTasks();
  const task = searchTask(loaded.config);
  const data = await loadDataset(loaded.config, loaded.dir, task);
  const outcome = await runSearch(loaded, data, options);
  if (!outcome.candidate || !outcome.best) throw noTrialSucceeded(outcome);
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

/** The tasks every candidate family supports: what the search's task is inferred from. */
function candidateTasks(config: SomaConfig): string[] {
  return commonTasks(config.model.candidates.map(findEstimator));
}

/** The task known before the data is read, decided as train decides it but over every candidate family. */
function searchTask(config: SomaConfig): TaskSpec | undefined {
  return taskHint(config.task, candidateTasks(config));
}

async function runSearch(loaded: LoadedConfig, data: Dataset, options: SearchRunOptions): Promise<SearchOutcome> {
  const t0 = performance.now();
  const { config } = loaded;
  const search = config.search!;
  const families = config.model.candidates;
  const dev = stackFrames(data.train, data.validation);
  const targetCol = dev.column(config.data.target)!;
  const taskSpec = inferTask(config.task, candidateTasks(config), targetCol);
  const task = taskSpec.name;
  for (const f of families) checkSupportsTask(findEstimator(f), task, f);
  const classes = trainingLabels(taskSpec, targetCol, config.data.target);
  const metric = search.metric ?? config.evaluate.metrics?.[0] ?? taskSpec.searchMetric;
  resolveMetricNames(task, [metric]);
  const direction = search.direction ?? metricDirection(metric);
  const metrics = resolveMetricNames(task, [metric, ...(config.evaluate.metrics ?? resolveMetricNames(task))]);

  const space = parseSpace(search.space, families.length > 1 ? families : [], new Set(estimatorNames()));
  checkSpace(space, { families, steps: config.preprocess.map((s) => s.name), paramsOf: schemaProperties });
  const baseParams: Record<string, JsonObject> = {};
  for (const f of families) baseParams[f] = paramsFor(f, config.model.params, families.length > 1);

  const cvOptions = foldOptions(dev, { ...search.cv, seed: search.seed }, taskSpec.stratify, config.data.target);
  const folds = cvFolds(dev.rows, cvOptions);
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

  // An interrupted run stops as one (resumable) below, whatever the data holds.
  if (!options.signal?.aborted) checkFamiliesCanFit(payload, families, dev, data.test, taskSpec, options.onWarning);

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
  const storageUrl = options.storage ?? search.storage;
  if (storageUrl !== undefined) checkStorageUrl(storageUrl, options.storage !== undefined ? '--storage' : 'search.storage');
  const latest = async (): Promise<string | undefined> => {
    if (!options.resume) return undefined;
    if (storageUrl === undefined) return latestStudy(options.runsDir, config.name);
    const { latestSharedStudy } = await import('../search/storage-pg.js');
    return latestSharedStudy(storageUrl, config.name);
  };
  const study = options.study ?? search.study ?? (await latest()) ?? timestampName();
  const file = journalPath(options.runsDir, config.name, study);
  const trialsAsked = search.trials ?? 30;
  const header: StudyHeader = { study, fingerprint, method: search.method, metric, direction, seed: search.seed, ...(search.method === 'bayesian' || search.method === 'tpe' ? { startup: search.startup ?? defaultStartup(trialsAsked) } : {}) };
  const nJobs = Math.max(1, options.nJobs ?? search.nJobs);
  let storage: StudyStorage;
  if (storageUrl === undefined) {
    storage = new JournalStorage(StudyJournal.open(file, header, { resume: options.resume ?? false }));
  } else {
    // Loaded only for shared studies: a laptop's study never loads pg.
    const { PostgresStorage } = await import('../search/storage-pg.js');
    storage = await PostgresStorage.open({ url: storageUrl, model: config.name, header, resume: options.resume ?? false, heartbeatTimeoutS: search.heartbeatTimeout, connections: nJobs + 1 });
  }

  const plan = makePlan(search, space, direction, budgetParam, config.model.params, storage.header.startup);
  let executor: Executor | undefined;
  let records: TrialRecord[];
  let stopped: StopReason;
  let replayed: number;
  try {
    executor = nJobs > 1 ? new WorkerPool(workerUrl(import.meta.url, './search-worker.js'), payload, nJobs) : new InlineExecutor(cvRunner(payload));
    ({ records, stopped, replayed } = await runStudy({
      plan,
      executor,
      storage,
      ...(search.timeout !== undefined ? { timeoutS: search.timeout } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onStart ? { onStart: options.onStart } : {}),
      onRecord: (r, wasReplayed) => options.onTrial?.(toSummary(r), wasReplayed),
    }));
  } finally {
    await storage.close();
    await executor?.close();
  }
  if (stopped === 'aborted') {
    throw new SomaError('ABORTED', `search interrupted; study ${study} can be resumed`, { hint: `soma tune -c ${shellQuote((options.cwd !== undefined ? path.relative(options.cwd, loaded.path) : '') || loaded.path)} --resume` });
  }

  const trials = summarise(records, search.method === 'hyperband');
  const best = bestTrial(trials, direction, search.method === 'hyperband');
  const outcome: SearchOutcome = {
    study,
    dir: path.dirname(file),
    journal: storage.location,
    method: search.method,
    metric,
    direction,
    cv: { folds: folds.length, kind: foldKind(cvOptions), rows: dev.rows },
    n_jobs: nJobs,
    seed: search.seed,
    best: best ? { number: best.number, params: best.params, score: best.score!, ...(best.metrics ? { metrics: best.metrics } : {}) } : undefined,
    candidate: best ? applyParams(best.params, payload) : undefined,
    trials,
    families: familyTable(trials, families, direction),
    stopped,
    replayed,
    interrupted: storage.interrupted,
    seconds: +((performance.now() - t0) / 1000).toFixed(3),
  };
  writeStudyFile(outcome.dir, 'study.json', searchJson(outcome));
  return outcome;
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

function timestampName(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}
