// `soma import xgboost MODEL.json --name N --features features.json`: an XGBoost JSON model
// registered as a soma gbdt version, so evaluate, predict, serve and compare treat it like a
// trained one. The features file names the model's input columns in order (XGBoost keeps only
// names and types): their types, each categorical column's categories (category i is XGBoost's
// code i), the target column and the class labels. The version has no preprocessing steps: rows
// reach the trees as XGBoost would see them, categories coded by the file's lists, missing and
// unseen categories as missing.

import path from 'node:path';
import { SomaError } from '../errors.js';
import type { ColumnType } from '../data/frame.js';
import { readFrame } from '../data/read.js';
import { readTextFile } from '../data/text-file.js';
import type { Estimator } from '../models/estimator.js';
import { Pipeline, type PipelineJSON } from '../preprocess/pipeline.js';
import { registerBuiltinTasks } from '../tasks/index.js';
import { findTask } from '../tasks/registry.js';
import { scoreSplit } from './scoring.js';
import { rowsWithTarget } from './target.js';
import { trainingReference } from './reference.js';
import { profileFrame } from '../data/profile.js';
import { estimatorFromJSON } from '../models/catalog.js';
import { registerBuiltinEstimators } from '../models/index.js';
import { xgboostToGbdt, type ImportFeature } from '../models/xgboost/import.js';
import { parseXgbJson } from '../models/xgboost/json-text.js';
import { chooseVersion, decideBump } from '../registry/bump.js';
import type { MetadataBody } from '../registry/metadata.js';
import { Registry } from '../registry/store.js';
import { writeVersionFiles } from '../registry/version-files.js';
import type { BumpLevel } from '../registry/semver.js';
import { sha256 } from '../util/hash.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../util/json.js';
import { VERSION } from '../version.js';
import type { InputContract } from './contract.js';

export interface ImportOptions {
  model: string;
  name: string;
  features: string;
  registryDir: string;
  /** Labelled data scored with the imported model; its metrics are recorded as the version's test metrics. */
  data?: string;
  description?: string;
  bump?: BumpLevel;
  version?: string;
  command: string;
}

export interface ImportResult {
  name: string;
  version: string;
  id: string;
  path: string;
  task: string;
  objective: string;
  trees: number;
  features: number;
  classes: string[];
  xgboost_version: string;
  /** {test: {metric: value}} when data was given. */
  metrics: Record<string, Record<string, number>>;
}

interface FeaturesFile {
  target: string;
  classes: string[] | null;
  features: ImportFeature[];
}

/** Reads the features file: `{target?, classes?, features: [{name, type, categories?}]}` (or soma's own features.json, whose list is `columns`). */
function readFeaturesFile(doc: unknown, file: string): FeaturesFile {
  const bad = (field: string, expected: string): SomaError => new SomaError('DATA_BAD_VALUE', `${file}: ${field}: expected ${expected}`, { details: { file, field } });
  if (!isJsonObject(doc)) throw bad('the document', 'an object with a "features" list');
  const list = doc['features'] ?? doc['columns'];
  if (!Array.isArray(list) || list.length === 0) throw bad('features', 'a non-empty list of {name, type, categories?}');
  const seen = new Set<string>();
  const features = list.map((f, j): ImportFeature => {
    if (!isJsonObject(f) || typeof f['name'] !== 'string' || f['name'] === '') throw bad(`features[${j}].name`, 'a column name');
    const name = f['name'];
    if (seen.has(name)) throw bad(`features[${j}].name`, `a name not listed before (${JSON.stringify(name)} repeats)`);
    seen.add(name);
    const type = f['type'] ?? 'numeric';
    if (type !== 'numeric' && type !== 'categorical') throw bad(`features[${j}].type`, `numeric or categorical (got ${JSON.stringify(type)})`);
    if (type === 'numeric') return { name, kind: 'numeric' };
    const cats = f['categories'];
    if (!Array.isArray(cats) || cats.length === 0 || !cats.every((c) => typeof c === 'string')) throw bad(`features[${j}].categories`, `the categories of ${JSON.stringify(name)} as strings, in XGBoost's code order`);
    if (new Set(cats).size !== cats.length) throw bad(`features[${j}].categories`, 'categories without repeats');
    return { name, kind: 'categorical', categories: cats as string[] };
  });
  const target = doc['target'] ?? 'target';
  if (typeof target !== 'string' || target === '') throw bad('target', 'the name of the target column');
  if (seen.has(target)) throw bad('target', `a column that is not a feature (${JSON.stringify(target)} is both)`);
  const classes = doc['classes'];
  if (classes !== undefined && classes !== null && !(Array.isArray(classes) && classes.every((c) => typeof c === 'string'))) throw bad('classes', 'a list of class labels (strings)');
  return { target, classes: Array.isArray(classes) && classes.length > 0 ? (classes as string[]) : null, features };
}

export async function importXgboost(options: ImportOptions): Promise<ImportResult> {
  registerBuiltinEstimators();
  const [modelText, featuresText] = await Promise.all([readTextFile(options.model, 'XGBoost model'), readTextFile(options.features, 'features file')]);
  let doc: unknown;
  let featuresDoc: unknown;
  try {
    doc = parseXgbJson(modelText);
  } catch (e) {
    throw new SomaError('DATA_BAD_VALUE', `${options.model}: not JSON (${(e as Error).message}); soma imports XGBoost's JSON model format (save_model("model.json"))`, { details: { file: options.model } });
  }
  try {
    featuresDoc = JSON.parse(featuresText);
  } catch (e) {
    throw new SomaError('DATA_BAD_VALUE', `${options.features}: not JSON (${(e as Error).message})`, { details: { file: options.features } });
  }
  const spec = readFeaturesFile(featuresDoc, options.features);
  const imported = xgboostToGbdt(doc as JsonValue, spec.features, options.model);
  let classes: string[] = [];
  if (imported.task === 'classification') {
    classes = spec.classes ?? Array.from({ length: imported.nClasses }, (_, k) => String(k));
    if (classes.length !== imported.nClasses) {
      throw new SomaError('DATA_BAD_VALUE', `${options.features}: classes lists ${classes.length} labels but the model (${imported.objective}) has ${imported.nClasses} classes`, { details: { file: options.features, classes: classes.length, model: imported.nClasses } });
    }
  }
  // Rebuilt through the estimator's own loader, so what is registered is known to load.
  const estimator = estimatorFromJSON(imported.estimator);

  const contract: InputContract = {
    formatVersion: 1,
    task: imported.task,
    target: spec.target,
    classes,
    id: null,
    columns: spec.features.map((f) => ({ name: f.name, type: f.kind, missing_share: 0, ...(f.categories ? { categories: f.categories } : {}) })),
  };
  const pipelineJson: JsonObject = {
    formatVersion: 1,
    steps: [],
    features: spec.features.map((f) => ({ name: f.name, kind: f.kind, ...(f.categories ? { categories: f.categories } : {}), from: f.kind })),
    dropped: [],
  };
  const features = spec.features.map((f) => ({ name: f.name, type: f.kind }));
  const scored = options.data ? await scoreData(options.data, contract, Pipeline.fromJSON(pipelineJson as unknown as PipelineJSON), estimator) : undefined;
  const metrics: Record<string, Record<string, number>> = scored ? { test: scored.metrics } : {};
  // With data, the reference profile drift checks compare against is that data's.
  const profile = scored?.profile ?? { rows: 0, columns: [] };
  const source = path.basename(options.model);
  const configYaml = [
    `# Imported by soma import xgboost from ${source} (XGBoost ${imported.xgboostVersion} JSON, objective ${imported.objective}):`,
    '# this version was not trained by soma, so there is nothing to rerun.',
    `name: ${JSON.stringify(options.name)}`,
    `task: ${imported.task}`,
    'model:',
    '  type: gbdt',
    '',
  ].join('\n');
  const report = [`# ${options.name} (imported)`, '', `An XGBoost ${imported.xgboostVersion} model (${imported.objective}, ${imported.trees} trees) imported from \`${source}\`.`, '', `Features: ${features.map((f) => `${f.name} (${f.type})`).join(', ')}.`, ''].join('\n');
  const modelSha = sha256(modelText);
  const hyperparameters = imported.estimator.params as JsonObject;
  const registry = new Registry(options.registryDir);
  const registered = await registry.register(
    options.name,
    {
      write: (dir) => writeVersionFiles(dir, { model: imported.estimator, preprocess: pipelineJson, features: contract, metrics, profile, config: configYaml, report }),
      decide: ({ latest, existing }) =>
        chooseVersion(
          existing,
          decideBump(latest, { task: imported.task, target: spec.target, algorithm: 'gbdt', features, preprocess_sha256: null, hyperparameters: { ...hyperparameters, model_sha256: modelSha }, data_sha256: null }),
          { ...(options.bump !== undefined ? { bump: options.bump } : {}), ...(options.version !== undefined ? { version: options.version } : {}) },
        ),
      finalize: ({ parent }): MetadataBody => ({
        description: options.description ?? `XGBoost model imported from ${source}`,
        task: imported.task,
        algorithm: 'gbdt',
        framework: `xgboost ${imported.xgboostVersion} (imported by soma ${VERSION})`,
        created_at: new Date().toISOString(),
        training_duration_s: 0,
        trained_on: { source: options.model, sha256: modelSha, rows: 0 },
        target: spec.target,
        features,
        hyperparameters,
        metrics: metrics as unknown as JsonObject,
        lineage: { parent, config_sha256: sha256(configYaml), preprocess_sha256: null, git_commit: null, git_dirty: null, command: options.command, imported_from: options.model, imported_sha256: modelSha },
        timings: { load_s: 0, preprocess_s: 0, fit_s: 0, evaluate_s: 0, total_s: 0 },
        summary: { imported: 'xgboost', objective: imported.objective, trees: imported.trees, classes, xgboost_version: imported.xgboostVersion },
      }),
    },
    { command: options.command },
  );
  return {
    name: registered.metadata.name,
    version: registered.metadata.version,
    id: registered.metadata.id,
    path: registered.dir,
    task: imported.task,
    objective: imported.objective,
    trees: imported.trees,
    features: features.length,
    classes,
    xgboost_version: imported.xgboostVersion,
    metrics,
  };
}

/** The imported model's metrics on a labelled file (rows without a target are left out), and its reference profile. */
async function scoreData(file: string, contract: InputContract, pipeline: Pipeline, estimator: Estimator): Promise<{ metrics: Record<string, number>; profile: JsonObject }> {
  registerBuiltinTasks();
  const task = findTask(contract.task);
  const types: Record<string, ColumnType> = Object.fromEntries(contract.columns.map((c) => [c.name, c.type]));
  if (task.target.readAs) types[contract.target] = task.target.readAs;
  const raw = await readFrame(file, { types, columns: [...contract.columns.map((c) => c.name), contract.target] });
  const keep = rowsWithTarget(raw.column(contract.target)!);
  const frame = keep.length === raw.rows ? raw : raw.take(keep);
  if (frame.rows === 0) throw new SomaError('DATA_EMPTY', `${file}: no rows with a target value`);
  const y = task.target.encode(frame, contract.target, contract.classes, file);
  const features = frame.drop([contract.target]);
  const score = scoreSplit(task, estimator, pipeline.transform(features), y, undefined);
  const reference = trainingReference({ contract, features, target: y, outputs: { train: score.predictions }, seed: 42 });
  return { metrics: score.metrics, profile: { rows: frame.rows, columns: profileFrame(features), reference } as unknown as JsonObject };
}
