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
import { predictMatrix } from '../predictions.js';
import type { Predictions } from '../../tasks/spec.js';
import { trainingLabels } from '../target.js';
import { requireCompleteInput } from '../input-check.js';
import { assertNoIssues, metricIssues } from '../preflight.js';
import { baselineJson, baselineWarning, scoreBaseline } from '../baseline.js';
import { renderReportMarkdown } from '../report.js';
import { renderTrainReportHtml } from '../report-html.js';
import { analyseSplit, checkSensitiveColumns, fairnessJson, permutationJson } from '../report-analysis.js';
import { searchForTrain } from '../tune.js';
import { refitDecision, refitParams } from '../refit.js';
import { stackFrames } from '../search-frames.js';
import { stepsFor } from '../default-steps.js';
import type { FittedRun, FlowContext, RunArtifacts, TrainFlow } from './flow.js';

export const rowsFlow: TrainFlow = { fit: fitRows };

async function fitRows(ctx: FlowContext): Promise<FittedRun> {
  const { loaded, timer, warn, options } = ctx;
  // With a search: section, tune first; the config's model and steps become the best trial's.
  const search = await searchForTrain(loaded, options);
  const { config } = loaded;
  const spec = findEstimator(config.model.type);
  // No preprocess: section: the family's own steps (imputation, scaling for linear models), kept
  // in the config so the version's preprocess hash and files say what was fitted. A search's
  // trials fitted the steps it gave them, so its refit keeps those.
  const defaults = search ? { steps: config.preprocess, defaulted: false } : stepsFor(config.preprocess, spec);
  if (defaults.defaulted) config.preprocess = defaults.steps;
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

  const fitOptions = {
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const validated = createEstimator(config.model.type, config.model.params, task);
  await timer.time('fit', () =>
    // A target_transform step: the model learns the transformed target (scored back on its scale).
    validated.fit(Xtrain, pipeline.transformTarget(yTrain), {
      ...(Xval.rows > 0 ? { validation: { X: Xval, y: pipeline.transformTarget(yVal) } } : {}),
      ...fitOptions,
    }),
  );
  validated.warnings?.().forEach(warn);
  // The validation score is the validated fit's, on rows it never fitted, whatever comes next.
  const validationScore =
    Xval.rows > 0
      ? await timer.time('evaluate', () => {
          timer.step('scoring the validation split');
          return scoreSplit(taskSpec, pipeline.wrapEstimator(validated), Xval, yVal, config.evaluate.metrics);
        })
      : undefined;

  // Then (pipeline/refit.ts) the steps and the model once more on training + validation, at the
  // size the validated fit chose; the refitted pair is what is kept, scored on test and saved.
  const decision = refitDecision(config.model.refit, Xtrain.rows, Xval.rows);
  let model = validated;
  let fitted = { pipeline, X: Xtrain, y: yTrain, Xtest };
  // The input columns the kept model was fitted on: the contract (features.json) describes them.
  let fittedFeatures = trainFeatures;
  if (decision.refit) {
    timer.step('refitting on training + validation');
    const all = stackFrames(data.train, data.validation);
    fittedFeatures = featuresOf(all);
    const again = Pipeline.fromConfig(config.preprocess, { nativeCategorical: spec.nativeCategorical, seed: config.seed });
    const yAll = taskSpec.target.encode(all, config.data.target, classes, 'training + validation splits');
    fitted = await timer.time('preprocess', () => {
      const f = again.fit(featuresOf(all), { target: yAll, classes });
      return { pipeline: again, X: f.X, y: f.y ?? yAll, Xtest: data.test ? again.transform(featuresOf(data.test)) : undefined };
    });
    requireCompleteInput(spec, { training: fitted.X, ...(fitted.Xtest ? { test: fitted.Xtest } : {}) });
    model = createEstimator(config.model.type, refitParams(validated), task);
    await timer.time('fit', () => model.fit(fitted.X, again.transformTarget(fitted.y), fitOptions));
  }
  const final = fitted.pipeline;
  // summary.validation_policy of the metadata: what the validation rows did, and the size chosen.
  const chosen = validated.refitParams?.() ?? {};
  const validatedRounds = validated.summary?.()['best_iteration'];
  const policy: JsonObject = {
    refit: decision.refit,
    reason: decision.reason,
    ...(typeof validatedRounds === 'number' ? { validated_best_iteration: validatedRounds } : {}),
    ...(decision.refit ? { refit_rows: fitted.X.rows, refit_params: chosen } : {}),
  };

  const scores = await timer.time('evaluate', () => {
    const scored = final.wrapEstimator(model); // predictions on the target's own scale
    // Train metrics are over the rows the kept model fitted (training + validation after a refit).
    timer.step('scoring the training split');
    const s: { train: ScoredSplit; validation?: ScoredSplit; test?: ScoredSplit } = { train: scoreSplit(taskSpec, scored, fitted.X, fitted.y, config.evaluate.metrics) };
    if (validationScore) s.validation = validationScore;
    if (fitted.Xtest && yTest) {
      timer.step('scoring the test split');
      s.test = scoreSplit(taskSpec, scored, fitted.Xtest, yTest, config.evaluate.metrics);
    }
    return s;
  });
  undefinedMetricWarnings(scores).forEach(warn);
  const gateSplit = scores.test ? 'test' : 'validation';
  // The task's trivial guess (majority class, mean) on the same splits: a model must beat it.
  const baseline = scoreBaseline(
    taskSpec,
    fitted.y,
    {
      train: { y: fitted.y, model: scores.train.predictions },
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
  const rows = { train: Xtrain.rows, validation: Xval.rows, test: fitted.Xtest?.rows ?? 0 };

  const artifacts = async ({ gates, git }: Parameters<FittedRun['artifacts']>[0]): Promise<RunArtifacts> => {
    // After a refit the contract covers training + validation rows: a category only the
    // validation rows hold is one the kept model knows (an export's category list must have it).
    const contract = buildContract(fittedFeatures, task, config.data.target, classes, config.data.id);
    const importance = model.featureImportance?.();
    // Charts, permutation importance and fairness on the held-out split the gates judged.
    const analysisSplit = fitted.Xtest && yTest && data.test ? 'test' : 'validation';
    // On the target's own scale, as the metrics; validation rows are only held out from the validated fit.
    const scoredModel = analysisSplit === 'test' ? final.wrapEstimator(model) : pipeline.wrapEstimator(validated);
    const analysis = await timer.time('evaluate', () =>
      analysisSplit === 'test'
        ? analyseSplit({ model: scoredModel, X: fitted.Xtest!, y: yTest!, frame: data.test!, classes, seed: config.seed, sensitive: config.evaluate.sensitive, fairnessThreshold: config.evaluate.fairnessThreshold, onProgress: (done, total) => timer.step('permutation importance', done, total) })
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
    // The configured params (with defaults); a refit's fixed size is in summary.validation_policy.
    const hyperparameters = validated.params;
    const summary = model.summary?.() ?? {};
    if (summary['converged'] === false) {
      warn(`${spec.name} did not converge${typeof summary['message'] === 'string' ? `: ${summary['message']}` : ' (raise max_iter, scale the features or increase alpha)'}`);
    }
    const features = contract.columns.map((c) => ({ name: c.name, type: c.type }));
    timer.step('profiling the training data');
    // The reference outputs are the kept model's on each split's own rows, so together they cover
    // the training file once: after a refit the train scores are over training + validation rows
    // and the validation scores are the validated fit's, so both are predicted again.
    const keptOutputs = (): { train: Predictions; validation?: Predictions } => {
      if (!decision.refit) return { train: scores.train.predictions, ...(scores.validation ? { validation: scores.validation.predictions } : {}) };
      const kept = final.wrapEstimator(model);
      const on = (f: typeof data.train): Predictions => predictMatrix(kept, final.transform(featuresOf(f)), yTrain.nClasses);
      return { train: on(data.train), ...(data.validation.rows > 0 ? { validation: on(data.validation) } : {}) };
    };
    const reference = trainingReference({
      contract,
      features: trainFeatures,
      target: yTrainAll,
      outputs: { ...keptOutputs(), ...(scores.test ? { test: scores.test.predictions } : {}) },
      seed: config.seed,
    });
    const profile = { rows: data.train.rows, columns: profileFrame(trainFeatures), reference };
    const facts = { name: config.name, description: config.description, task, algorithm: spec.name, target: config.data.target, source: data.source, rows: data.rows, git };
    timer.step('writing reports');
    return {
      files: {
        model: model.toJSON(),
        ...(model.artifacts ? { modelArtifacts: model.artifacts() } : {}),
        preprocess: final.toJSON(),
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
        summary: { ...summary, classes, features_used: fitted.X.names.length, rows, validation_policy: policy, ...(defaults.defaulted ? { default_preprocess: config.preprocess as unknown as JsonObject[] } : {}), ...(search ? { search: search.summary } : {}) },
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
    features: fitted.X.names.length,
    overview: `${task} · ${spec.name} · ${rows.train} train / ${rows.validation} validation / ${rows.test} test rows${decision.refit ? ' (refitted on train + validation)' : ''} · ${fitted.X.names.length} features`,
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
