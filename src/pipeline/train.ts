// `soma train`: load the config and data, fit the preprocessing pipeline on the training split,
// fit the model, score every split, write the artifacts and register a new version.

import { loadConfig } from '../config/load.js';
import type { LoadedConfig } from '../config/types.js';
import { SomaError } from '../errors.js';
import type { Task } from '../tasks/task.js';
import { registerBuiltinTasks } from '../tasks/index.js';
import { inferTask, taskHint } from '../tasks/infer.js';
import { checkSupportsTask, createEstimator, findEstimator } from '../models/catalog.js';
import { registerBuiltinEstimators } from '../models/index.js';
import type { FeatureImportance, Progress } from '../models/estimator.js';
import { Pipeline } from '../preprocess/pipeline.js';
import { profileFrame } from '../data/profile.js';
import { canonicalJson, chooseVersion, decideBump } from '../registry/bump.js';
import { gitLineage } from '../registry/lineage.js';
import type { MetadataBody } from '../registry/metadata.js';
import { writeVersionFiles } from '../registry/version-files.js';
import { Registry } from '../registry/store.js';
import type { BumpLevel } from '../registry/semver.js';
import { sha256 } from '../util/hash.js';
import type { JsonObject } from '../util/json.js';
import { buildContract } from './contract.js';
import { trainingReference } from './reference.js';
import { loadDataset } from './dataset.js';
import { scoreSplit, type ScoredSplit } from './scoring.js';
import { PhaseTimer } from './timer.js';
import { renderReportMarkdown } from './report.js';
import { renderTrainReportHtml } from './report-html.js';
import { analyseSplit, checkSensitiveColumns, fairnessJson, permutationJson } from './report-analysis.js';
import { evaluateGates, formatGate, gateAliases, recordedSplitMetrics, resolveGateBaselines, type GateResult } from './gates.js';
import { VERSION } from '../version.js';
import { searchForTrain } from './tune.js';

export interface TrainOptions {
  config: string;
  sets?: readonly string[];
  registryDir: string;
  bump?: BumpLevel;
  version?: string;
  /** Gates from --fail-under/--fail-over, on top of the config's evaluate.gates. */
  extraGates?: Record<string, string>;
  /** Where study journals go when the config has a `search:` section: `<runsDir>/<name>/<study>/`. */
  runsDir: string;
  /** The command line, recorded in lineage. */
  command: string;
  cwd: string;
  onProgress?: (p: Progress) => void;
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
  /** Test-only (crash tests): a pause inside the registry lock, before the version is renamed into place. */
  pauseBeforeRenameMs?: number;
}

export interface TrainResult {
  name: string;
  version: string;
  id: string;
  path: string;
  task: Task;
  algorithm: string;
  metrics: { train: Record<string, number>; validation: Record<string, number>; test?: Record<string, number>; oob?: Record<string, number> };
  timings: { load_s: number; preprocess_s: number; fit_s: number; evaluate_s: number; total_s: number };
  bump: { level: string; reason: string };
  gates: GateResult[];
  rows: { train: number; validation: number; test: number };
  features: number;
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  registerBuiltinEstimators();
  registerBuiltinTasks();
  const timer = new PhaseTimer();
  const warn = options.onWarning ?? (() => {});
  const loaded: LoadedConfig = await loadConfig(options.config, { sets: options.sets ?? [] });
  // With a search: section, tune first; the config's model and steps become the best trial's.
  const search = await searchForTrain(loaded, options);
  const { config } = loaded;
  const spec = findEstimator(config.model.type);
  const data = await timer.time('load', () => loadDataset(config, loaded.dir, taskHint(config.task, spec.tasks)));
  data.warnings.forEach(warn);
  search?.refitData(data);
  checkSensitiveColumns(data.train, config.evaluate.sensitive);
  const taskSpec = inferTask(config.task, spec.tasks, data.train.column(config.data.target)!);
  const task = taskSpec.name;
  checkSupportsTask(spec, task, config.model.type);
  const classes = taskSpec.target.labels(data.train.column(config.data.target)!);
  if (classes.length < taskSpec.target.minLabels) {
    throw new SomaError('DATA_BAD_VALUE', `target "${config.data.target}" has ${classes.length} class${classes.length === 1 ? '' : 'es'} in the training split (expected at least ${taskSpec.target.minLabels})`);
  }
  const nonFeatures = [config.data.target, ...(config.data.id ? [config.data.id] : []), ...config.data.drop];
  const featuresOf = (f: typeof data.train) => f.drop(nonFeatures);
  const trainFeatures = featuresOf(data.train);

  const pipeline = Pipeline.fromConfig(config.preprocess, { nativeCategorical: spec.nativeCategorical, seed: config.seed });
  // The target goes into the fit (target encoding, importance selection) and follows the rows
  // that training-only steps keep (dedupe, outliers with action drop).
  const yTrainAll = taskSpec.target.encode(data.train, config.data.target, classes, 'training split');
  const { Xtrain, Xval, Xtest, yTrain } = await timer.time('preprocess', () => {
    const fitted = pipeline.fit(trainFeatures, { target: yTrainAll, classes });
    return { Xtrain: fitted.X, yTrain: fitted.y ?? yTrainAll, Xval: pipeline.transform(featuresOf(data.validation)), Xtest: data.test ? pipeline.transform(featuresOf(data.test)) : undefined };
  });
  for (const d of pipeline.dropped) warn(`column "${d.column}" is not used: ${d.reason}`);
  if (Xtrain.names.length === 0) throw new SomaError('DATA_EMPTY', 'no feature columns are left after preprocessing');

  const yVal = taskSpec.target.encode(data.validation, config.data.target, classes, 'validation split');
  const yTest = data.test ? taskSpec.target.encode(data.test, config.data.target, classes, 'test split') : undefined;

  const model = createEstimator(config.model.type, config.model.params, task);
  await timer.time('fit', () =>
    // A target_transform step: the model learns the transformed target (scored back on its scale).
    model.fit(Xtrain, pipeline.transformTarget(yTrain), {
      ...(Xval.rows > 0 ? { validation: { X: Xval, y: pipeline.transformTarget(yVal) } } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    }),
  );

  model.warnings?.().forEach(warn);

  const scores = await timer.time('evaluate', () => {
    const scored = pipeline.wrapEstimator(model); // predictions on the target's own scale
    const s: { train: ScoredSplit; validation?: ScoredSplit; test?: ScoredSplit } = { train: scoreSplit(taskSpec, scored, Xtrain, yTrain, config.evaluate.metrics) };
    if (Xval.rows > 0) s.validation = scoreSplit(taskSpec, scored, Xval, yVal, config.evaluate.metrics);
    if (Xtest && yTest) s.test = scoreSplit(taskSpec, scored, Xtest, yTest, config.evaluate.metrics);
    return s;
  });
  const oob = model.outOfBag?.();
  const metrics = {
    train: scores.train.metrics,
    validation: scores.validation?.metrics ?? {},
    ...(scores.test ? { test: scores.test.metrics } : {}),
    // A forest's out-of-bag estimate, from the training rows each tree did not see.
    ...(oob ? { oob: { [oob.metric]: oob.value } } : {}),
  };
  // Gates guard the registry: a model that fails them is reported (exit 4) and never registered.
  const gateSet = { ...config.evaluate.gates, ...options.extraGates };
  const gateSplit = scores.test ? 'test' : 'validation';
  // Relative gates ("> production - 0.01") compare with the alias version's recorded metric of the same split.
  const baselines = await resolveGateBaselines(options.registryDir, config.name, gateAliases(gateSet), (r) => recordedSplitMetrics(r, gateSplit));
  const gates = evaluateGates(gateSet, scores.test?.metrics ?? scores.validation?.metrics ?? {}, gateSplit, baselines);
  if (gates.some((g) => !g.passed)) {
    const failed = gates.filter((g) => !g.passed);
    throw new SomaError('GATE_FAILED', `quality gate${failed.length > 1 ? 's' : ''} failed, nothing registered: ${failed.map(formatGate).join('; ')}`, {
      details: { gates: gates as unknown as JsonObject[], metrics },
    });
  }

  // ---- artifacts, written outside the registry lock ----
  const contract = buildContract(trainFeatures, task, config.data.target, classes, config.data.id);
  const importance = model.featureImportance?.();
  // Charts, permutation importance and fairness on the held-out split the gates judged.
  const analysisSplit = Xtest && yTest && data.test ? 'test' : 'validation';
  const scoredModel = pipeline.wrapEstimator(model); // on the target's own scale, as the metrics
  const analysis = await timer.time('evaluate', () =>
    analysisSplit === 'test'
      ? analyseSplit({ model: scoredModel, X: Xtest!, y: yTest!, frame: data.test!, classes, seed: config.seed, sensitive: config.evaluate.sensitive, fairnessThreshold: config.evaluate.fairnessThreshold })
      : Xval.rows > 0
        ? analyseSplit({ model: scoredModel, X: Xval, y: yVal, frame: data.validation, classes, seed: config.seed, sensitive: config.evaluate.sensitive, fairnessThreshold: config.evaluate.fairnessThreshold })
        : undefined,
  );
  analysis?.warnings.forEach(warn);
  const metricsJson: JsonObject = {
    ...(metrics as unknown as JsonObject),
    ...(scores.test?.confusion ? { confusion_matrix: { labels: classes, split: 'test', matrix: scores.test.confusion } } : {}),
    ...(importance ? { feature_importance: importanceJson(importance) } : {}),
    ...(analysis?.permutation ? { permutation_importance: permutationJson(analysis.permutation, analysisSplit) } : {}),
    ...(analysis && analysis.fairness.length > 0 ? { fairness: fairnessJson(analysis.fairness, config.evaluate.fairnessThreshold, analysisSplit) } : {}),
  };
  const preprocessJson = pipeline.toJSON();
  const preprocessSha = sha256(canonicalJson(config.preprocess as unknown as JsonObject));
  const hyperparameters = model.params;
  const registry = new Registry(options.registryDir);
  const git = await gitLineage(options.cwd);
  const summary = model.summary?.() ?? {};
  if (summary['converged'] === false) {
    warn(`${spec.name} did not converge${typeof summary['message'] === 'string' ? `: ${summary['message']}` : ' (raise max_iter, scale the features or increase alpha)'}`);
  }

  const bumpInputs = {
    task,
    target: config.data.target,
    algorithm: spec.name,
    features: contract.columns.map((c) => ({ name: c.name, type: c.type })),
    preprocess_sha256: preprocessSha,
    hyperparameters: withoutRuntimeParams(hyperparameters),
    data_sha256: data.sha256,
    rows: data.rows,
  };
  const bumpLevel = options.bump ?? (config.registry.bump !== 'auto' ? config.registry.bump : undefined);
  const explicitVersion = options.version ?? config.model.version;
  const reference = trainingReference({
    contract,
    features: trainFeatures,
    target: yTrainAll,
    outputs: { train: scores.train.predictions, ...(scores.validation ? { validation: scores.validation.predictions } : {}), ...(scores.test ? { test: scores.test.predictions } : {}) },
    seed: config.seed,
  });
  const profile = { rows: data.train.rows, columns: profileFrame(trainFeatures), reference };

  const registered = await registry.register(
    config.name,
    {
      write: (dir) =>
        writeVersionFiles(dir, {
          model: model.toJSON(),
          ...(model.artifacts ? { modelArtifacts: model.artifacts() } : {}),
          preprocess: preprocessJson,
          features: contract,
          metrics: metricsJson,
          profile,
          config: loaded.resolvedYaml,
          ...(search ? { search: search.history } : {}),
          report: renderReportMarkdown({ name: config.name, description: config.description, task, algorithm: spec.name, target: config.data.target, source: data.source, rows: data.rows, git }, contract, metricsJson, gates),
          reportHtml: renderTrainReportHtml({
            facts: { name: config.name, description: config.description, task, algorithm: spec.name, target: config.data.target, source: data.source, rows: data.rows, git },
            contract,
            metrics,
            gates,
            split: analysisSplit,
            ...(analysis ? { analysis } : {}),
            ...(importance ? { importance } : {}),
            fairnessThreshold: config.evaluate.fairnessThreshold,
            profile,
            config: loaded.resolvedYaml,
          }),
        }),
      decide: ({ latest, existing }) =>
        chooseVersion(existing, decideBump(latest, bumpInputs), {
          ...(bumpLevel !== undefined ? { bump: bumpLevel } : {}),
          ...(explicitVersion !== undefined ? { version: explicitVersion } : {}),
        }),
      finalize: ({ parent }): MetadataBody => ({
        description: config.description,
        task,
        algorithm: spec.name,
        framework: `soma ${VERSION}`,
        created_at: new Date().toISOString(),
        training_duration_s: timer.seconds('fit'),
        trained_on: { source: data.source, sha256: data.sha256, rows: data.rows },
        target: config.data.target,
        features: contract.columns.map((c) => ({ name: c.name, type: c.type })),
        hyperparameters,
        metrics: metricsJson,
        lineage: {
          parent,
          config_sha256: sha256(loaded.resolvedYaml),
          preprocess_sha256: preprocessSha,
          git_commit: git.git_commit,
          git_dirty: git.git_dirty,
          command: options.command,
        },
        timings: {
          load_s: timer.seconds('load'),
          preprocess_s: timer.seconds('preprocess'),
          fit_s: timer.seconds('fit'),
          evaluate_s: timer.seconds('evaluate'),
          total_s: timer.total(),
        },
        summary: { ...summary, classes, features_used: Xtrain.names.length, rows: { train: Xtrain.rows, validation: Xval.rows, test: Xtest?.rows ?? 0 }, ...(search ? { search: search.summary } : {}) },
      }),
    },
    { command: options.command, onNotice: warn, ...(options.pauseBeforeRenameMs ? { pauseBeforeRenameMs: options.pauseBeforeRenameMs } : {}) },
  );

  return {
    name: registered.metadata.name,
    version: registered.metadata.version,
    id: registered.metadata.id,
    path: registered.dir,
    task,
    algorithm: spec.name,
    metrics,
    timings: registered.metadata.timings,
    bump: registered.bump,
    gates,
    rows: { train: Xtrain.rows, validation: Xval.rows, test: Xtest?.rows ?? 0 },
    features: Xtrain.names.length,
  };
}

/** `{kind, values: {feature: v}}` plus, for tree models, `split` and `cover` maps of the same shape. */
function importanceJson(imp: FeatureImportance): JsonObject {
  const byName = (values: readonly number[]): JsonObject => Object.fromEntries(imp.names.map((n, i) => [n, values[i]!]));
  return { kind: imp.kind, values: byName(imp.values), ...Object.fromEntries(Object.entries(imp.also ?? {}).map(([k, v]) => [k, byName(v)])) };
}

/** Params that cannot change the fitted model (threads) do not count as a hyperparameter change. */
function withoutRuntimeParams(p: JsonObject): JsonObject {
  const { n_jobs: _nJobs, verbose: _verbose, ...rest } = p;
  return rest;
}
