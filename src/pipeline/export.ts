// `soma export REF --format F --output FILE`: a registered model in a format another tool loads.
// The model is exported over soma's preprocessed feature matrix (what the estimator reads), so
// the other tool must be given rows that went through the version's preprocess.json first;
// `rows`/`rowsOutput` writes such a matrix for a data file.

import { SomaError } from '../errors.js';
import { Frame, type Column } from '../data/frame.js';
import { readFrame, type CsvOptions } from '../data/read.js';
import { writeFrame } from '../data/write.js';
import { writeTextFile } from '../data/text-file.js';
import type { FeatureMatrix } from '../engine/matrix.js';
import { toDense } from '../engine/sparse.js';
import { Gbdt } from '../models/gbdt.js';
import { treesToXGBoostJson, XGBOOST_FORMAT_VERSION } from '../models/xgboost/export.js';
import type { TreeExportForm } from '../models/gbdt.js';
import { RandomForest } from '../models/random_forest.js';
import { xgbStringify } from '../models/xgboost/json-text.js';
import { inputFormats } from './contract.js';
import { loadModel, type LoadedModel } from './loaded-model.js';

export const EXPORT_FORMATS = ['xgboost-json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  ref: string;
  format: string;
  output: string;
  registryDir: string;
  /** A data file whose rows are written through the model's preprocessing to `rowsOutput`. */
  rows?: string;
  rowsOutput?: string;
  rowsFormat?: string;
  csv?: CsvOptions;
}

export interface ExportResult {
  ref: string;
  id: string;
  version: string;
  format: ExportFormat;
  output: string;
  /** The version of the target tool whose format was written. */
  format_version: string;
  trees: number;
  features: { name: string; type: 'float' | 'c' }[];
  rows_output?: string;
  rows?: number;
}

function checkFormat(format: string): ExportFormat {
  if ((EXPORT_FORMATS as readonly string[]).includes(format)) return format as ExportFormat;
  throw new SomaError('USAGE', `--format ${format}: unknown export format (expected one of: ${EXPORT_FORMATS.join(', ')})`, { details: { format, accepted: [...EXPORT_FORMATS] } });
}

/** The trees of a loaded model as XGBoost can hold them, or a refusal naming what it cannot. */
function exportableTrees(model: LoadedModel): TreeExportForm {
  const id = model.resolved.metadata.id;
  const kind = model.estimator.kind;
  const treeModel = model.estimator instanceof Gbdt || model.estimator instanceof RandomForest;
  if (!treeModel && kind !== 'gbdt' && kind !== 'random_forest' && kind !== 'decision_tree') {
    throw new SomaError('USAGE', `export: ${id} is a ${kind} model; --format xgboost-json holds gbdt (alias xgboost) models, and random_forest and decision_tree regressors`, {
      details: { model: id, kind, format: 'xgboost-json' },
    });
  }
  if (!treeModel) {
    // Wrapped by a target_transform step: XGBoost would predict on the transformed scale.
    throw new SomaError('USAGE', `export: ${id} has a target_transform step, which XGBoost cannot represent (its predictions would stay on the transformed scale)`, {
      hint: `train the ${kind} without target_transform to export it`,
      details: { model: id, step: 'target_transform', format: 'xgboost-json' },
    });
  }
  if (model.estimator instanceof Gbdt) return model.estimator.exportForm();
  const form = (model.estimator as RandomForest).exportForm();
  if (!form) {
    throw new SomaError('USAGE', `export: ${id} is a ${kind} classifier, whose trees hold class shares that are averaged; XGBoost's format has one value per leaf and a link (logistic, softmax) on their sum, so it cannot hold them (regression forests and gbdt classifiers export)`, {
      details: { model: id, kind, task: 'classification', format: 'xgboost-json' },
    });
  }
  return form;
}

export async function exportModel(options: ExportOptions): Promise<ExportResult> {
  const format = checkFormat(options.format);
  if ((options.rows === undefined) !== (options.rowsOutput === undefined)) {
    throw new SomaError('USAGE', 'export: --rows and --rows-output go together (the data file to transform and where to write its feature matrix)');
  }
  const model = await loadModel(options.registryDir, options.ref);
  const form = exportableTrees(model);
  const features = model.pipeline.features.map((f) => ({ name: f.name, kind: f.kind }));
  const doc = treesToXGBoostJson(form, features);
  await writeTextFile(options.output, xgbStringify(doc) + '\n');
  const result: ExportResult = {
    ref: options.ref,
    id: model.resolved.metadata.id,
    version: model.resolved.version,
    format,
    output: options.output,
    format_version: XGBOOST_FORMAT_VERSION.join('.'),
    trees: form.treesUsed,
    features: features.map((f) => ({ name: f.name, type: f.kind === 'categorical' ? 'c' : 'float' })),
  };
  if (options.rows !== undefined && options.rowsOutput !== undefined) {
    const X = await featureMatrixOf(model, options.rows, options.rowsFormat, options.csv);
    await writeFrame(options.rowsOutput, matrixFrame(X));
    result.rows_output = options.rowsOutput;
    result.rows = X.rows;
  }
  return result;
}

/** A data file's rows as the model's feature matrix (the contract's columns, then the pipeline). */
async function featureMatrixOf(model: LoadedModel, file: string, format: string | undefined, csv: CsvOptions | undefined): Promise<FeatureMatrix> {
  const { contract } = model;
  const types = Object.fromEntries(contract.columns.map((c) => [c.name, c.type]));
  const frame = await readFrame(file, { ...(format ? { format } : {}), ...(csv ? { csv } : {}), types, formats: inputFormats(contract), columns: contract.columns.map((c) => c.name) });
  return model.pipeline.transform(frame);
}

/** The matrix as numeric columns named by feature (categorical codes as numbers, missing empty). */
function matrixFrame(X: FeatureMatrix): Frame {
  const columns: Column[] = X.names.map((name, j) => ({ name, type: 'numeric', values: toDense(X.columns[j]!) }));
  return new Frame(columns);
}
