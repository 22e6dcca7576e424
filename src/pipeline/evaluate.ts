// `soma evaluate REF --data F`: metrics of a registered model on any labelled file.

import { setOwn } from '../util/json.js';
import { SomaError } from '../errors.js';
import type { ColumnType } from '../data/frame.js';
import { readFrame, type CsvOptions } from '../data/read.js';
import { loadModel } from './loaded-model.js';
import { inputFormats } from './contract.js';
import { rowsWithTarget } from './target.js';
import { scoreSplit, undefinedMetricWarnings } from './scoring.js';
import { evaluateGates, gateAliases, resolveGateBaselines, type GateResult } from './gates.js';
import { writeEvaluationReport } from './report-html.js';

export interface EvaluateOptions {
  ref: string;
  data: string;
  registryDir: string;
  format?: string;
  /** CSV/TSV dialect of the data; what it leaves open is sniffed. */
  csv?: CsvOptions;
  metrics?: string[];
  gates?: Record<string, string>;
  /** Write an HTML report of this evaluation to this path. */
  report?: string;
}

export interface EvaluateResult {
  ref: string;
  id: string;
  version: string;
  data: string;
  rows: number;
  metrics: Record<string, number>;
  confusion_matrix?: { labels: string[]; matrix: number[][] };
  gates: GateResult[];
  warnings: string[];
  /** The HTML report's path, when one was asked for. */
  report?: string;
}

export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  const model = await loadModel(options.registryDir, options.ref);
  const { contract, task } = model;
  const types: Record<string, ColumnType> = Object.fromEntries(contract.columns.map((c) => [c.name, c.type]));
  if (task.target.readAs) setOwn(types, contract.target, task.target.readAs);
  const wanted = [...contract.columns.map((c) => c.name), contract.target];
  const { inspectColumns } = await import('../data/read.js');
  const present = new Set((await inspectColumns(options.data, options.format, options.csv)).map((c) => c.name));
  const missing = wanted.filter((n) => !present.has(n));
  if (missing.length > 0) {
    throw new SomaError('DATA_MISSING_COLUMN', `${options.data}: missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => JSON.stringify(m)).join(', ')} (the model ${model.resolved.id} needs ${wanted.length} columns: ${wanted.join(', ')})`, {
      details: { file: options.data, missing },
    });
  }
  const raw = await readFrame(options.data, { ...(options.format ? { format: options.format } : {}), ...(options.csv ? { csv: options.csv } : {}), types, formats: inputFormats(contract), columns: wanted });
  const warnings: string[] = [];
  const keep = rowsWithTarget(raw.column(contract.target)!);
  const frame = keep.length === raw.rows ? raw : raw.take(keep);
  if (keep.length < raw.rows) warnings.push(`${raw.rows - keep.length} rows without a target value were left out`);
  if (frame.rows === 0) throw new SomaError('DATA_EMPTY', `${options.data}: no rows with a target value`);
  const y = task.target.encode(frame, contract.target, contract.classes, options.data);
  const X = model.pipeline.transform(frame.drop([contract.target]));
  const score = scoreSplit(task, model.estimator, X, y, options.metrics);
  warnings.push(...undefinedMetricWarnings({ data: score }));
  // Relative gates score the alias version on this same file: a recorded test metric would not be comparable.
  const baselines = await resolveGateBaselines(options.registryDir, model.resolved.name, gateAliases(options.gates ?? {}), async (r) =>
    (await evaluate({ ...options, ref: `${r.name}@${r.version}`, gates: {}, report: undefined })).metrics,
  );
  const gates = evaluateGates(options.gates ?? {}, score.metrics, 'data', baselines);
  if (options.report) await writeEvaluationReport(options.report, { model, frame, X, y, metrics: score.metrics, gates, data: options.data });
  return {
    ref: options.ref,
    id: model.resolved.id,
    version: model.resolved.version,
    data: options.data,
    rows: frame.rows,
    metrics: score.metrics,
    ...(score.confusion ? { confusion_matrix: { labels: contract.classes, matrix: score.confusion } } : {}),
    gates,
    warnings,
    ...(options.report ? { report: options.report } : {}),
  };
}
