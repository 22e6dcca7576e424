// The row-wise training flow (classification, regression and any task of independent rows):
// search first when the config has `search:`, load and split the rows, fit the preprocessing on
// the training split, fit the estimator, score every split; after the gates pass, the contract,
// the split analysis (charts, permutation importance, fairness), the reference profile and the
// reports. The contract with the shared part is flows/flow.ts.

import { degenerateSplits, degenerateWarning } from '../degenerate.js';
import { createHash } from 'node:crypto';
import { SomaError } from '../../errors.js';
import { inferTask, taskHint } from '../../tasks/infer.js';
import { checkSupportsTask, createEstimator, findEstimator } from '../../models/catalog.js';
import type { FeatureImportance } from '../../models/estimator.js';
import { Pipeline } from '../../preprocess/pipeline.js';
import { profileFrame } from '../../data/profile.js';
import { canonicalJson } from '../../registry/bump.js';
import type { JsonObject } from '../../util/json.js';
import { buildContract } from '../contract.js';
import { trainingReference } from '../reference.js';
import { loadDataset } from '../dataset.js';
import { scoreSplit, undefinedMetricWarnings, type ScoredSplit } from '../scoring.js';
import { trainingLabels } from '../target.js';
import { requireCompleteInput } from '../input-check.js';
import { assertNoIssues, metricIssues } from '../preflight.js';
import { baselineJson, baselineWarning, scoreBaseline } from '../baseline.js';
import { renderReportMarkdown } from '../report.js';
import { renderTrainReportHtml } from '../report-html.js';
import { analyseSplit, checkSensitiveColumns, fairnessJson, permutationJson } from '../report-analysis.js';
import { searchForTrain } from '../tune.js';
import type { FittedRun, FlowContext, RunArtifacts, TrainFlow } from './flow.js';

export const rowsFlow: TrainFlow = { fit: fitRows };

async function fitRows(ctx: FlowContext): Promise<FittedRun> {
  const { loaded, timer, warn, options } = ctx;
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
  // The shared part checked metrics and gates when the task was known before the data.
  if (!ctx.task) assertNoIssues(metricIssues(config, taskSpec, ctx.options.extraGates ?? {}));
  checkSupportsTask(spec, task, config.model.type);
  const classes = trainingLabels(taskSpec, data.train.column(config.data.target)!, config.data.target);
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
  // A family that cannot take missing values learns of them now, not after the fit.
  requireCompleteInput(spec, { training: Xtrain, validation: Xval, test: Xtest });

  const yVal = taskSpec.target.encode(data.validation, config.data.target, classes, 'validation split');
  const yTest = data.test ? taskSpec.target.encode(data.test, config.data.target, classes, 'test split') : undefined;
  // Before the fit: a constant target or a one-class split is worth knowing before waiting.
  const degenerate = degenerateSplits({ train: yTrainAll, validation: yVal, ...(yTest ? { test: yTest } : {}) }, classes);
  for (const [split, reason] of Object.entries(degenerate)) warn(degenerateWarning(split, reason));

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
    timer.step('scoring the training split');
    const s: { train: ScoredSplit; validation?: ScoredSplit; test?: ScoredSplit } = { train: scoreSplit(taskSpec, scored, Xtrain, yTrain, config.evaluate.metrics) };
    if (Xval.rows > 0) {
      timer.step('scoring the validation split');
      s.validation = scoreSplit(taskSpec, scored, Xval, yVal, config.evaluate.metrics);
    }
    if (Xtest && yTest) {
      timer.step('scoring the test split');
      s.test = scoreSplit(taskSpec, scored, Xtest, yTest, config.evaluate.metrics);
    }
    return s;
  });
  undefinedMetricWarnings(scores).forEach(warn);
  const gateSplit = scores.test ? 'test' : 'validation';
  // The task's trivial guess (majority class, mean) on the same splits: a model must beat it.
  const baseline = scoreBaseline(
    taskSpec,
    yTrain,
    {
      train: { y: yTrain, model: scores.train.predictions },
      ...(scores.validation ? { validation: { y: yVal, model: scores.validation.predictions } } : {}),
      ...(scores.test && yTest ? { test: { y: yTest, model: scores.test.predictions } } : {}),
    },
    config.evaluate.metrics,
    gateSplit,
  );
  const notBeaten = baseline && baselineWarning(baseline);
  if (notBeaten) warn(notBeaten);
  const oob = model.outOfBag?.();
  const metrics = {
    train: scores.train.metrics,
    validation: scores.validation?.metrics ?? {},
    ...(scores.test ? { test: scores.test.metrics } : {}),
    // A forest's out-of-bag estimate, from the training rows each tree did not see.
    ...(oob ? { oob: { [oob.metric]: oob.value } } : {}),
  };
  const rows = { train: Xtrain.rows, validation: Xval.rows, test: Xtest?.rows ?? 0 };

  const artifacts = async ({ gates, git }: Parameters<FittedRun['artifacts']>[0]): Promise<RunArtifacts> => {
    const contract = buildContract(trainFeatures, task, config.data.target, classes, config.data.id);
    const importance = model.featureImportance?.();
    // Charts, permutation importance and fairness on the held-out split the gates judged.
    const analysisSplit = Xtest && yTest && data.test ? 'test' : 'validation';
    const scoredModel = pipeline.wrapEstimator(model); // on the target's own scale, as the metrics
    const analysis = await timer.time('evaluate', () =>
      analysisSplit === 'test'
        ? analyseSplit({ model: scoredModel, X: Xtest!, y: yTest!, frame: data.test!, classes, seed: config.seed, sensitive: config.evaluate.sensitive, fairnessThreshold: config.evaluate.fairnessThreshold, onProgress: (done, total) => timer.step('permutation importance', done, total) })
        : Xval.rows > 0
          ? analyseSplit({ model: scoredModel, X: Xval, y: yVal, frame: data.validation, classes, seed: config.seed, sensitive: config.evaluate.sensitive, fairnessThreshold: config.evaluate.fairnessThreshold, onProgress: (done, total) => timer.step('permutation importance', done, total) })
          : undefined,
    );
    analysis?.warnings.forEach(warn);
    const metricsJson: JsonObject = {
      ...(metrics as unknown as JsonObject),
      ...(baseline ? { baseline: baselineJson(baseline) } : {}),
      ...(scores.test?.confusion ? { confusion_matrix: { labels: classes, split: 'test', matrix: scores.test.confusion } } : {}),
      ...(importance ? { feature_importance: importanceJson(importance) } : {}),
      ...(analysis?.permutation ? { permutation_importance: permutationJson(analysis.permutation, analysisSplit) } : {}),
      ...(analysis && analysis.fairness.length > 0 ? { fairness: fairnessJson(analysis.fairness, config.evaluate.fairnessThreshold, analysisSplit) } : {}),
    };
    const preprocessSha = sha256(canonicalJson(config.preprocess as unknown as JsonObject));
    const hyperparameters = model.params;
    const summary = model.summary?.() ?? {};
    if (summary['converged'] === false) {
      warn(`${spec.name} did not converge${typeof summary['message'] === 'string' ? `: ${summary['message']}` : ' (raise max_iter, scale the features or increase alpha)'}`);
    }
    const features = contract.columns.map((c) => ({ name: c.name, type: c.type }));
    timer.step('profiling the training data');
    const reference = trainingReference({
      contract,
      features: trainFeatures,
      target: yTrainAll,
      outputs: { train: scores.train.predictions, ...(scores.validation ? { validation: scores.validation.predictions } : {}), ...(scores.test ? { test: scores.test.predictions } : {}) },
      seed: config.seed,
    });
    const profile = { rows: data.train.rows, columns: profileFrame(trainFeatures), reference };
    const facts = { name: config.name, description: config.description, task, algorithm: spec.name, target: config.data.target, source: data.source, rows: data.rows, git };
    timer.step('writing reports');
    return {
      files: {
        model: model.toJSON(),
        ...(model.artifacts ? { modelArtifacts: model.artifacts() } : {}),
        preprocess: pipeline.toJSON(),
        features: contract,
        metrics: metricsJson,
        profile,
        ...(search ? { search: search.history } : {}),
        report: renderReportMarkdown(facts, contract, metricsJson, [...gates]),
        reportHtml: renderTrainReportHtml({
          facts,
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
      },
      bump: {
        task,
        target: config.data.target,
        algorithm: spec.name,
        features,
        preprocess_sha256: preprocessSha,
        hyperparameters: withoutRuntimeParams(hyperparameters),
        data_sha256: data.sha256,
        rows: data.rows,
      },
      metadata: {
        target: config.data.target,
        features,
        hyperparameters,
        metrics: metricsJson,
        trainedOn: { source: data.source, sha256: data.sha256, rows: data.rows },
        preprocessSha256: preprocessSha,
        summary: { ...summary, classes, features_used: Xtrain.names.length, rows, ...(search ? { search: search.summary } : {}) },
      },
    };
  };

  return {
    task: taskSpec,
    algorithm: spec.name,
    metrics,
    gateSplit,
    degenerate,
    ...(baseline ? { baseline } : {}),
    rows,
    features: Xtrain.names.length,
    overview: `${task} · ${spec.name} · ${rows.train} train / ${rows.validation} validation / ${rows.test} test rows · ${Xtrain.names.length} features`,
    artifacts,
  };
}

/** `{kind, values: {feature: v}}` plus, for tree models, `split` and `cover` maps of the same shape. */
function importanceJson(imp: FeatureImportance): JsonObject {
  const byName = (values: readonly number[]): JsonObject => Object.fromEntries(imp.names.map((n, i) => [n, values[i]!]));
  return { kind: imp.kind, values: byName(imp.values), ...Object.fromEntries(Object.entries(imp.also ?? {}).map(([k, v]) => [k, byName(v)])) };
}

/** Params that cannot change the fitted model (threads) do not count as a hyperparameter change. */
export function withoutRuntimeParams(p: JsonObject): JsonObject {
  const { n_jobs: _nJobs, verbose: _verbose, ...rest } = p;
  return rest;
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
