// `soma drift [REF] --data F [--reference F]`: is new data still like the data a model was
// trained on? Per column, the test Evidently's defaults pick (monitor/column-drift.ts), against a
// version's stored reference profile (its training split's histograms and category counts; the
// training data is never read) or against a second file; the model's outputs on the new rows
// against its outputs on the reference; the target and the metrics when the file has it.
//
// The data file is read once, in chunks (data/read.ts readFrameChunks), and summarised into
// sketches whose size does not depend on the file's (monitor/sketch.ts). A reference file is read
// twice: once to count categories and sample rows for its numeric bin edges, once to count the
// numeric columns on those edges (only those columns are read again when there is no model). The counting runs on the main thread (DuckDB parses the file in
// its own threads).

import { SomaError } from '../errors.js';
import { Frame, type Column, type ColumnType } from '../data/frame.js';
import { inspectColumns, readFrameChunks, type CsvOptions, type SchemaColumn } from '../data/read.js';
import { isNumericDuckType, typeOfDuckDB } from '../data/infer.js';
import { columnDrift, PSI_BINS, type ColumnDriftResult, type DriftMethod, type Summary, type TestChoice } from '../monitor/column-drift.js';
import type { ColumnReference, OutputReference, ReferenceProfile } from '../monitor/reference.js';
import { groupsOnEdges, mergeEdges, psiEdges, sampleEdges, sortedCopy } from '../monitor/sketch.js';
import { alignCategories, FrameSketch, referenceSummary, Reservoir, specForReference, type SketchSpec } from '../monitor/stream.js';
import { readVersionText } from '../registry/version-files.js';
import { isJsonObject, type JsonObject } from '../util/json.js';
import type { Predictions } from '../tasks/spec.js';
import type { Target } from '../tasks/task.js';
import { inputSchema } from './contract.js';
import { loadModel, predictFrame, type LoadedModel } from './loaded-model.js';
import { readReference } from './reference.js';

export interface DriftOptions {
  /** The model; optional when `reference` is given (two files, no model). */
  ref?: string;
  data: string;
  /** Compare with this file instead of the version's stored reference profile. */
  reference?: string;
  registryDir: string;
  /** Only these input columns. */
  columns?: string[];
  /** Overrides every column's test (and the config's). */
  method?: DriftMethod;
  /** Overrides every column's threshold (and the config's). */
  threshold?: number;
  /** Overrides monitoring.drift_share. */
  driftShare?: number;
  format?: string;
  referenceFormat?: string;
  csv?: CsvOptions;
  chunkRows?: number;
  /** Rows sampled from a reference file to learn its bin edges. */
  sampleRows?: number;
  onProgress?: (rows: number) => void;
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
}

export type ColumnRole = 'input' | 'prediction' | 'output' | 'target';

export interface ColumnDriftReport extends Partial<ColumnDriftResult> {
  column: string;
  role: ColumnRole;
  type: 'numeric' | 'categorical';
  /** False when the column could not be tested (see note). */
  tested: boolean;
  missing_reference: number;
  missing_current: number;
  note?: string;
}

export interface DriftResult {
  ref: string | null;
  id: string | null;
  version: string | null;
  data: string;
  /** `profile` (the version's stored reference) or the reference file. */
  reference: string;
  reference_rows: number;
  rows: number;
  /** Input columns, most drifted first. */
  columns: ColumnDriftReport[];
  drifted_columns: string[];
  tested_columns: number;
  share: number;
  drift_share: number;
  dataset_drift: boolean;
  /** The model's `prediction` column, when there is a model. */
  prediction: ColumnDriftReport | null;
  /** Every output column (prediction, proba_<class>, ...). */
  outputs: ColumnDriftReport[];
  /** Which reference split the outputs were compared with (profile), or the file. */
  outputs_reference: string | null;
  target: ColumnDriftReport | null;
  /** The model's metrics on the data, when it has the target. */
  metrics: Record<string, number> | null;
  /** Exit 5: the data set or the predictions drifted (or a column, with --fail-on-column). */
  drift: boolean;
  reasons: string[];
  seconds: number;
  warnings: string[];
}

/** What the report needs beside the result: both sides' summaries per column. */
export interface DriftDetail {
  summaries: Map<string, { role: ColumnRole; reference: Summary; current: Summary }>;
}

export const DEFAULT_DRIFT_SHARE = 0.5;
/** Rows of a reference file sampled for its bin edges (all of them, up to this). */
export const REFERENCE_SAMPLE_ROWS = 50_000;
/** Value bins learned from a reference file's sample. */
export const FILE_BINS = 1024;
/** Reference samples with at most this many distinct values get an edge at every value (exact KS). */
export const EXACT_VALUES = 2048;

interface Monitoring {
  threshold?: number;
  method?: DriftMethod;
  share?: number;
  columns: Record<string, TestChoice>;
}

/** The stream of one file: its chunks with the model's outputs (and encoded target) beside them. */
interface Chunk {
  frame: Frame;
  outputs: Column[];
  target?: Target;
  predictions?: Predictions;
}

export async function drift(options: DriftOptions): Promise<DriftResult & { detail: DriftDetail }> {
  const t0 = performance.now();
  const warnings: string[] = [];
  const warn = (m: string): void => {
    warnings.push(m);
    options.onWarning?.(m);
  };
  if (!options.ref && !options.reference) {
    throw new SomaError('USAGE', 'soma drift needs a model REF (compared with its stored reference profile) or --reference FILE (two files compared)');
  }
  const model = options.ref ? await loadModel(options.registryDir, options.ref) : undefined;
  const profile = model ? await readReference(model.resolved.dir) : undefined;
  if (model && !profile && !options.reference) {
    throw new SomaError('USAGE', `${model.resolved.id} has no stored reference profile (trained before soma stored them)`, {
      hint: `retrain it, or compare with a file: soma drift ${options.ref} --data ${options.data} --reference TRAINING_FILE`,
    });
  }
  const monitoring = model ? await readMonitoring(model) : { columns: {} };
  const driftShare = options.driftShare ?? monitoring.share ?? 0.5;
  if (!(driftShare > 0 && driftShare <= 1)) throw new SomaError('USAGE', `drift share ${driftShare}: expected a number in (0, 1]`);

  // Which columns, typed how.
  const dataInfo = await inspectColumns(options.data, options.format, options.csv);
  const dataNames = new Set(dataInfo.map((c) => c.name));
  let schema: SchemaColumn[];
  let integers = new Set<string>();
  let targetColumn: SchemaColumn | undefined;
  if (model) {
    const { contract } = model;
    schema = inputSchema(contract);
    const missing = schema.filter((s) => !dataNames.has(s.name)).map((s) => s.name);
    if (missing.length > 0) {
      throw new SomaError('DATA_MISSING_COLUMN', `${options.data}: missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => JSON.stringify(m)).join(', ')} (the model ${model.resolved.id} reads ${schema.length} columns: ${schema.map((s) => s.name).join(', ')})`, {
        hint: missing.length === schema.length ? `is ${options.data} data for ${model.resolved.name}? none of its input columns is there` : undefined,
        details: { file: options.data, missing },
      });
    }
    if (contract.target && dataNames.has(contract.target) && (!options.reference || (await hasColumn(options.reference, contract.target, options)))) {
      targetColumn = { name: contract.target, type: (model.task.target.readAs ?? (contract.classes.length > 0 ? 'categorical' : 'numeric')) as ColumnType };
    }
  } else {
    const refInfo = await inspectColumns(options.reference!, options.referenceFormat ?? options.format, options.csv);
    schema = refInfo.filter((c) => dataNames.has(c.name)).map((c) => ({ name: c.name, type: typeOfDuckDB(c.duckdbType) ?? 'categorical' }));
    integers = new Set(refInfo.filter((c) => isNumericDuckType(c.duckdbType) && /INT/i.test(c.duckdbType)).map((c) => c.name));
    const only = refInfo.filter((c) => !dataNames.has(c.name)).map((c) => c.name);
    if (schema.length === 0) throw new SomaError('DATA_MISSING_COLUMN', `${options.data} and ${options.reference} have no column in common`, { details: { file: options.data } });
    if (only.length > 0) warn(`${options.data}: lacks ${only.length} column(s) of ${options.reference}, not compared: ${only.slice(0, 10).join(', ')}`);
  }
  if (options.columns && options.columns.length > 0) {
    const known = new Set(schema.map((s) => s.name));
    const unknown = options.columns.filter((c) => !known.has(c));
    if (unknown.length > 0) {
      throw new SomaError('USAGE', `--columns: ${unknown.map((u) => JSON.stringify(u)).join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not ${model ? `an input column of ${model.resolved.id}` : 'in both files'} (expected some of: ${[...known].slice(0, 20).join(', ')})`);
    }
    if (!model) schema = schema.filter((s) => options.columns!.includes(s.name));
  }
  const tested = new Set(options.columns && options.columns.length > 0 ? options.columns : schema.map((s) => s.name));
  const readSchema = targetColumn ? [...schema, targetColumn] : schema;

  const stream = (file: string, format: string | undefined, only?: SchemaColumn[]): AsyncGenerator<Chunk> => chunks(file, format, only ?? readSchema, model, targetColumn?.name, options);

  // The reference side.
  let referenceRows: number;
  let refInputs: Map<string, Summary>;
  let refOutputs: Map<string, Summary> = new Map();
  let refTarget: Summary | undefined;
  let specs: SketchSpec[];
  let outputSpecs: SketchSpec[] = [];
  let targetSpec: SketchSpec | undefined;
  let outputsReference: string | null = null;
  if (options.reference) {
    const r = await referenceFromFile(options.reference, options.referenceFormat ?? options.format, readSchema, integers, model, targetColumn?.name, stream, options);
    ({ referenceRows, specs, outputSpecs } = r);
    targetSpec = r.targetSpec;
    refInputs = r.inputs;
    refOutputs = r.outputs;
    refTarget = r.target;
    if (model) outputsReference = options.reference;
  } else {
    const p = profile!;
    referenceRows = p.rows;
    specs = p.columns.map(specForReference);
    refInputs = new Map(p.columns.map((c) => [c.name, referenceSummary(c)]));
    const splits = outputSplits(p);
    outputsReference = `profile (${splits.map((s) => s[0]).join(' + ')} splits)`;
    outputSpecs = splits[0]![1].columns.map(specForReference);
    refOutputs = new Map(outputSpecs.map((s) => [s.name, sumSummaries(splits.map(([, o]) => referenceSummary(o.columns.find((c) => c.name === s.name)!)))]));
    if (targetColumn && p.target) {
      targetSpec = specForReference(p.target);
      refTarget = referenceSummary(p.target);
    }
  }

  // The current side: one pass.
  const inputs = new FrameSketch(specs);
  const outputs = new FrameSketch(outputSpecs);
  const target = targetSpec ? new FrameSketch([targetSpec]) : undefined;
  const ys: Target[] = [];
  const preds: Predictions[] = [];
  let rows = 0;
  for await (const chunk of stream(options.data, options.format)) {
    if (options.signal?.aborted) throw new SomaError('ABORTED', 'drift interrupted');
    inputs.add(chunk.frame);
    outputs.addColumns(chunk.outputs, chunk.frame.rows);
    if (target) target.add(chunk.frame);
    if (chunk.target && chunk.predictions) {
      ys.push(chunk.target);
      preds.push(chunk.predictions);
    }
    rows += chunk.frame.rows;
    options.onProgress?.(rows);
  }
  if (rows === 0) throw new SomaError('DATA_EMPTY', `${options.data} has no data rows`, { details: { file: options.data } });

  // Verdicts.
  const detail: DriftDetail = { summaries: new Map() };
  const verdictOf = (name: string, role: ColumnRole, ref: Summary | undefined, cur: Summary | undefined, choice: TestChoice): ColumnDriftReport => {
    const type = cur?.kind ?? ref?.kind ?? 'numeric';
    const base = { column: name, role, type, missing_reference: ref?.missing ?? 0, missing_current: cur?.missing ?? 0 };
    if (!ref || !cur) return { ...base, tested: false, note: 'no reference for this column' };
    const current = ref.kind === 'categorical' && cur.kind === 'categorical' ? alignCategories(cur, ref) : cur;
    detail.summaries.set(`${role}:${name}`, { role, reference: ref, current });
    if (ref.kind === 'categorical' && ref.counts.size > 0.5 * ref.n && ref.n > 0) return { ...base, tested: false, note: 'more distinct values than half the reference rows: text or an id, not tested (as Evidently)' };
    const r = columnDrift(ref, current, choice);
    if (!r) return { ...base, tested: false, note: ref.n === 0 ? 'no values in the reference' : current.n === 0 ? 'no values in the data' : 'too many distinct values to test' };
    return { ...base, tested: true, ...r };
  };
  const choiceFor = (name: string): TestChoice => {
    const col = monitoring.columns[name] ?? {};
    const method = options.method ?? col.method ?? monitoring.method;
    const threshold = options.threshold ?? col.threshold ?? monitoring.threshold;
    return { ...(method ? { method } : {}), ...(threshold !== undefined ? { threshold } : {}) };
  };
  const columns = schema
    .filter((s) => tested.has(s.name))
    .map((s) => verdictOf(s.name, 'input', refInputs.get(s.name), inputs.summary(s.name), choiceFor(s.name)))
    .sort(byDrift);
  const testedColumns = columns.filter((c) => c.tested);
  const drifted = testedColumns.filter((c) => c.drift).map((c) => c.column);
  const share = testedColumns.length > 0 ? drifted.length / testedColumns.length : 0;
  const datasetDrift = testedColumns.length > 0 && share >= driftShare;

  const outputReports = outputSpecs.map((s) => verdictOf(s.name, s.name === 'prediction' ? 'prediction' : 'output', refOutputs.get(s.name), outputs.summary(s.name), options.method || options.threshold !== undefined ? choiceFor('') : {}));
  const prediction = outputReports.find((o) => o.column === 'prediction') ?? null;
  const targetReport = targetSpec && target ? verdictOf(targetSpec.name, 'target', refTarget, target.summary(targetSpec.name), {}) : null;

  let metrics: Record<string, number> | null = null;
  if (model && ys.length > 0) metrics = scoreChunks(model, ys, preds, options.data, warn);

  const reasons: string[] = [];
  if (datasetDrift) reasons.push(`data set drift: ${drifted.length} of ${testedColumns.length} columns drifted (${pct(share)} >= drift_share ${pct(driftShare)})`);
  if (prediction?.drift) reasons.push(`prediction drift: ${prediction.method} ${fmt(prediction.p_value ?? prediction.statistic!)} ${prediction.p_value !== null ? '<' : '>='} ${prediction.threshold}`);
  const result: DriftResult = {
    ref: options.ref ?? null,
    id: model?.resolved.id ?? null,
    version: model?.resolved.version ?? null,
    data: options.data,
    reference: options.reference ?? 'profile',
    reference_rows: referenceRows,
    rows,
    columns,
    drifted_columns: drifted,
    tested_columns: testedColumns.length,
    share,
    drift_share: driftShare,
    dataset_drift: datasetDrift,
    prediction,
    outputs: outputReports,
    outputs_reference: outputsReference,
    target: targetReport,
    metrics,
    drift: reasons.length > 0,
    reasons,
    seconds: Math.round(performance.now() - t0) / 1000,
    warnings,
  };
  return { ...result, detail };
}

/** Drifted first, then by how far past the threshold. */
function byDrift(a: ColumnDriftReport, b: ColumnDriftReport): number {
  if (a.tested !== b.tested) return a.tested ? -1 : 1;
  if ((a.drift ?? false) !== (b.drift ?? false)) return a.drift ? -1 : 1;
  return (b.score ?? 0) - (a.score ?? 0);
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}

function fmt(x: number): string {
  return Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(2) : String(Math.round(x * 1e4) / 1e4);
}

/**
 * The stored outputs of every split (train, validation, test): together they are the model's
 * outputs on its whole training file. The test split alone is often too small: a class it never
 * predicts makes any current prediction of it infinite chi-square drift.
 */
function outputSplits(p: ReferenceProfile): [string, OutputReference][] {
  const out: [string, OutputReference][] = [['train', p.outputs.train]];
  if (p.outputs.validation) out.push(['validation', p.outputs.validation]);
  if (p.outputs.test) out.push(['test', p.outputs.test]);
  return out;
}

/** Summaries of one column on several splits (numeric ones share their edges) added together. */
function sumSummaries(parts: Summary[]): Summary {
  const first = parts[0]!;
  if (first.kind === 'categorical') {
    const counts = new Map<string, number>();
    for (const p of parts as typeof first[]) for (const [k, v] of p.counts) counts.set(k, (counts.get(k) ?? 0) + v);
    return { kind: 'categorical', counts, n: parts.reduce((s, p) => s + p.n, 0), missing: parts.reduce((s, p) => s + p.missing, 0) };
  }
  const nums = parts as (typeof first)[];
  const counts = new Float64Array(first.counts.length);
  for (const p of nums) for (let k = 0; k < counts.length; k++) counts[k]! += p.counts[k]!;
  let offsets: Float64Array | undefined = nums.every((p) => p.offsets) ? new Float64Array(counts.length) : undefined;
  if (offsets) for (const p of nums) for (let k = 0; k < counts.length; k++) offsets[k]! += p.offsets![k]!;
  if (!offsets) offsets = undefined;
  // The pooled standard deviation from each split's moments is not stored; the largest split's (train) stands in.
  const { offsets: _dropped, ...rest } = first;
  void _dropped;
  return { ...rest, counts, ...(offsets ? { offsets } : {}), n: nums.reduce((s, p) => s + p.n, 0), missing: nums.reduce((s, p) => s + p.missing, 0), min: Math.min(...nums.map((p) => p.min)), max: Math.max(...nums.map((p) => p.max)), distinct: null };
}

async function hasColumn(file: string, name: string, options: DriftOptions): Promise<boolean> {
  return (await inspectColumns(file, options.referenceFormat ?? options.format, options.csv)).some((c) => c.name === name);
}

/** The file's chunks, with the model's outputs (and, with a target, the encoded target and predictions). */
async function* chunks(file: string, format: string | undefined, schema: SchemaColumn[], model: LoadedModel | undefined, target: string | undefined, options: DriftOptions): AsyncGenerator<Chunk> {
  const frames = readFrameChunks(file, { ...(format ? { format } : {}), ...(options.csv ? { csv: options.csv } : {}), schema, ...(options.chunkRows ? { chunkRows: options.chunkRows } : {}) });
  for await (const frame of frames) {
    if (!model) {
      yield { frame, outputs: [] };
      continue;
    }
    const features = target ? frame.drop([target]) : frame;
    const p = predictFrame(model, features);
    const outputs = model.task.predictionColumns(p, model.contract.classes, frame.rows);
    if (!target) {
      yield { frame, outputs };
      continue;
    }
    yield { frame, outputs, target: model.task.target.encode(frame, target, model.contract.classes, file), predictions: p };
  }
}

interface FileReference {
  referenceRows: number;
  specs: SketchSpec[];
  outputSpecs: SketchSpec[];
  targetSpec?: SketchSpec;
  inputs: Map<string, Summary>;
  outputs: Map<string, Summary>;
  target?: Summary;
}

/**
 * A reference file as summaries: pass 1 counts categories and samples rows of every numeric
 * column (inputs, outputs, target); their edges come from the sample; pass 2 counts the numeric
 * columns on those edges.
 */
async function referenceFromFile(
  file: string,
  format: string | undefined,
  schema: SchemaColumn[],
  integers: ReadonlySet<string>,
  model: LoadedModel | undefined,
  target: string | undefined,
  stream: (file: string, format: string | undefined, only?: SchemaColumn[]) => AsyncGenerator<Chunk>,
  options: DriftOptions,
): Promise<FileReference> {
  const isNumeric = (t: ColumnType): boolean => t === 'numeric' || t === 'datetime';
  const inputCols = schema.filter((s) => s.name !== target);
  const targetCol = schema.find((s) => s.name === target);
  const sampleRows = options.sampleRows ?? REFERENCE_SAMPLE_ROWS;
  const key = (role: string, name: string): string => `${role}:${name}`;

  // Pass 1.
  let reservoir: Reservoir | undefined;
  let categorical: FrameSketch | undefined;
  let outCategorical: FrameSketch | undefined;
  let outNumeric: string[] = [];
  let outCat: string[] = [];
  let rows = 0;
  const numericNames = schema.filter((s) => isNumeric(s.type)).map((s) => s.name);
  const catSpecs: SketchSpec[] = schema.filter((s) => !isNumeric(s.type)).map((s) => ({ name: s.name, kind: 'categorical' }));
  categorical = new FrameSketch(catSpecs);
  for await (const chunk of stream(file, format)) {
    if (!reservoir) {
      outNumeric = chunk.outputs.filter((c) => c.type === 'numeric').map((c) => c.name);
      outCat = chunk.outputs.filter((c) => c.type !== 'numeric').map((c) => c.name);
      reservoir = new Reservoir([...numericNames.map((n) => key('in', n)), ...outNumeric.map((n) => key('out', n))], sampleRows, 19);
      outCategorical = new FrameSketch(outCat.map((n) => ({ name: n, kind: 'categorical' })));
    }
    reservoir.add(prefixed(chunk.frame, chunk.outputs));
    categorical.add(chunk.frame);
    outCategorical!.addColumns(chunk.outputs, chunk.frame.rows);
    rows += chunk.frame.rows;
  }
  if (rows === 0 || !reservoir) throw new SomaError('DATA_EMPTY', `${file} has no data rows`, { details: { file } });

  // Edges from the sample, with the sample's deciles among them so PSI uses the anchor's bins.
  const numericSpec = (name: string, k: string): SketchSpec => {
    const sample = sortedCopy(reservoir!.values(k));
    const deciles = psiEdges(sample, PSI_BINS, true);
    let edges = mergeEdges(sampleEdges(sample, FILE_BINS, EXACT_VALUES, true), deciles);
    if (edges.length === 0) edges = Float64Array.of(0);
    return { name, kind: 'numeric', edges, psiGroups: groupsOnEdges(edges, deciles) };
  };
  const specs: SketchSpec[] = inputCols.map((s) =>
    isNumeric(s.type) ? { ...numericSpec(s.name, key('in', s.name)), ...(integers.has(s.name) ? { integer: true } : {}) } : { name: s.name, kind: 'categorical' },
  );
  const outputSpecs: SketchSpec[] = [...outNumeric.map((n) => numericSpec(n, key('out', n))), ...outCat.map((n): SketchSpec => ({ name: n, kind: 'categorical' }))];
  const targetSpec: SketchSpec | undefined = targetCol ? (isNumeric(targetCol.type) ? numericSpec(targetCol.name, key('in', targetCol.name)) : { name: targetCol.name, kind: 'categorical' }) : undefined;

  // Pass 2 for the numeric columns.
  const numericInputs = new FrameSketch(specs.filter((s) => s.kind === 'numeric'));
  const numericOutputs = new FrameSketch(outputSpecs.filter((s) => s.kind === 'numeric'));
  const numericTarget = targetSpec?.kind === 'numeric' ? new FrameSketch([targetSpec]) : undefined;
  if (numericNames.length + outNumeric.length > 0) {
    // Without a model, only the numeric columns are read again.
    const numericOnly = model ? undefined : schema.filter((s) => isNumeric(s.type));
    for await (const chunk of stream(file, format, numericOnly)) {
      numericInputs.add(chunk.frame);
      numericOutputs.addColumns(chunk.outputs, chunk.frame.rows);
      numericTarget?.add(chunk.frame);
    }
  }
  const inputs = new Map<string, Summary>();
  for (const s of specs) inputs.set(s.name, (s.kind === 'numeric' ? numericInputs : categorical).summary(s.name)!);
  const outputs = new Map<string, Summary>();
  for (const s of outputSpecs) outputs.set(s.name, (s.kind === 'numeric' ? numericOutputs : outCategorical!).summary(s.name)!);
  const targetSummary = targetSpec ? (targetSpec.kind === 'numeric' ? numericTarget! : categorical).summary(targetSpec.name) : undefined;
  void model;
  return { referenceRows: rows, specs, outputSpecs, ...(targetSpec ? { targetSpec } : {}), inputs, outputs, ...(targetSummary ? { target: targetSummary } : {}) };
}

/** A chunk's numeric inputs and outputs under role-prefixed names, for the reservoir. */
function prefixed(frame: Frame, outputs: readonly Column[]): Frame {
  const cols: Column[] = [];
  for (const c of frame.columns) if (c.type === 'numeric' || c.type === 'datetime') cols.push({ ...c, name: `in:${c.name}` } as Column);
  for (const c of outputs) if (c.type === 'numeric') cols.push({ ...c, name: `out:${c.name}` } as Column);
  return new Frame(cols.length > 0 ? cols : [{ type: 'numeric', name: 'in:', values: new Float64Array(frame.rows) }]);
}

/** The model's metrics over every chunk's rows that have a target. */
function scoreChunks(model: LoadedModel, ys: Target[], preds: Predictions[], file: string, warn: (m: string) => void): Record<string, number> | null {
  const n = ys.reduce((s, y) => s + y.values.length, 0);
  const values = new Float64Array(n);
  const predicted = new Float64Array(n);
  const k = model.contract.classes.length;
  const withProba = preds.every((p) => p.proba !== undefined);
  const proba = withProba ? new Float64Array(n * k) : undefined;
  let at = 0;
  let kept = 0;
  for (let c = 0; c < ys.length; c++) {
    const y = ys[c]!.values;
    const p = preds[c]!;
    for (let i = 0; i < y.length; i++, at++) {
      if (Number.isNaN(y[i]!)) continue;
      values[kept] = y[i]!;
      predicted[kept] = p.values[i]!;
      if (proba) proba.set(p.proba!.subarray(i * k, i * k + k), kept * k);
      kept++;
    }
  }
  if (kept === 0) {
    warn(`${file}: the target column has no values; no metrics`);
    return null;
  }
  if (kept < n) warn(`${file}: ${n - kept} rows without a target value left out of the metrics`);
  const y: Target = { ...ys[0]!, values: values.subarray(0, kept) };
  const p: Predictions = { values: predicted.subarray(0, kept), ...(proba ? { proba: proba.subarray(0, kept * k) } : {}) };
  return model.task.score(y, p, undefined).metrics;
}

/** The version's `monitoring:` keys (from its resolved config.yaml). */
async function readMonitoring(model: LoadedModel): Promise<Monitoring> {
  let text: string;
  try {
    text = await readVersionText(model.resolved.dir, 'config');
  } catch {
    return { columns: {} };
  }
  const { parse } = await import('yaml');
  const doc = parse(text) as unknown;
  const m = isJsonObject(doc) && isJsonObject(doc['model']) && isJsonObject(doc['model']['monitoring']) ? (doc['model']['monitoring'] as JsonObject) : {};
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  const method = (v: unknown): DriftMethod | undefined => (typeof v === 'string' ? (v as DriftMethod) : undefined);
  const columns: Record<string, TestChoice> = {};
  if (isJsonObject(m['columns'])) {
    for (const [name, v] of Object.entries(m['columns'])) {
      if (!isJsonObject(v)) continue;
      const mm = method(v['method']);
      const t = num(v['threshold']);
      columns[name] = { ...(mm ? { method: mm } : {}), ...(t !== undefined ? { threshold: t } : {}) };
    }
  }
  const threshold = num(m['drift_threshold']);
  const share = num(m['drift_share']);
  const mm = method(m['drift_method']);
  return { ...(threshold !== undefined ? { threshold } : {}), ...(share !== undefined ? { share } : {}), ...(mm ? { method: mm } : {}), columns };
}

export type { ColumnReference };
