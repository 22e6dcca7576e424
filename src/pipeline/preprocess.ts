// `soma preprocess -c C --output F`: loads and splits the data as `soma train` does, fits the
// config's preprocessing pipeline on the training split (with the target, for supervised steps),
// and writes the transformed training rows to F and the fitted pipeline beside it as
// `<F without extension>.preprocess.json`, the same JSON `soma train` registers.

import { trainingLabels } from './target.js';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import { SomaError } from '../errors.js';
import { Frame, type Column } from '../data/frame.js';
import { writeFrame } from '../data/write.js';
import { findEstimator } from '../models/catalog.js';
import { registerBuiltinEstimators } from '../models/index.js';
import { Pipeline } from '../preprocess/pipeline.js';
import { writeJsonAtomic } from '../registry/atomic.js';
import { loadDataset } from './dataset.js';
import { registerBuiltinTasks } from '../tasks/index.js';
import { inferTask, taskHint } from '../tasks/infer.js';
import { stepsFor } from './default-steps.js';

export interface PreprocessOptions {
  config: string;
  sets?: readonly string[];
  /** Where the transformed training data goes (format by extension). */
  output: string;
  onWarning?: (message: string) => void;
}

export interface PreprocessResult {
  output: string;
  pipeline: string;
  /** Training rows read, and written (training-only steps may drop some). */
  input_rows: number;
  rows: number;
  /** Columns written: the id (if any), the features, the target. */
  columns: string[];
  features: number;
  steps: string[];
  seconds: number;
}

/** `data/train.parquet` -> `data/train.preprocess.json`. */
export function pipelinePathFor(output: string): string {
  const ext = path.extname(output);
  return `${ext ? output.slice(0, -ext.length) : output}.preprocess.json`;
}

export async function preprocess(options: PreprocessOptions): Promise<PreprocessResult> {
  const t0 = performance.now();
  registerBuiltinEstimators();
  registerBuiltinTasks();
  const warn = options.onWarning ?? (() => {});
  const loaded = await loadConfig(options.config, { sets: options.sets ?? [] });
  const { config } = loaded;
  const spec = findEstimator(config.model.type);
  const data = await loadDataset(config, loaded.dir, taskHint(config.task, spec.tasks));
  data.warnings.forEach(warn);
  const targetColumn = data.train.column(config.data.target)!;
  const task = inferTask(config.task, spec.tasks, targetColumn);
  const classes = trainingLabels(task, targetColumn, config.data.target);
  const y = task.target.encode(data.train, config.data.target, classes, 'training split');
  const nonFeatures = [config.data.target, ...(config.data.id ? [config.data.id] : []), ...config.data.drop];

  // The pipeline as soma train would fit it for this model family (one-hot for linear models).
  // With no preprocess: section, the family's default steps, as soma train fits them.
  const pipeline = Pipeline.fromConfig(stepsFor(config.preprocess, spec).steps, { nativeCategorical: spec.nativeCategorical, seed: config.seed });
  const fitted = pipeline.fit(data.train.drop(nonFeatures), { target: y, classes });
  for (const d of pipeline.dropped) warn(`column "${d.column}" is not used: ${d.reason}`);

  const kept = fitted.kept ? data.train.take(fitted.kept) : data.train;
  const columns: Column[] = [];
  if (config.data.id) columns.push(kept.column(config.data.id)!);
  for (const f of pipeline.features) {
    const c = fitted.frame.column(f.name);
    if (!c) throw new SomaError('INTERNAL', `feature ${f.name} is missing from the transformed frame`);
    columns.push(c);
  }
  columns.push(kept.column(config.data.target)!);
  const out = new Frame(columns);
  const pipelineFile = pipelinePathFor(options.output);
  await writeFrame(options.output, out);
  await writeJsonAtomic(pipelineFile, pipeline.toJSON());
  return {
    output: options.output,
    pipeline: pipelineFile,
    input_rows: data.train.rows,
    rows: out.rows,
    columns: out.names,
    features: pipeline.features.length,
    steps: pipeline.stepNames,
    seconds: Math.round(performance.now() - t0) / 1000,
  };
}
