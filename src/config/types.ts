// The resolved configuration: what a validated soma.yaml means once defaults are applied.
// Everything downstream reads this, never the raw YAML.

import type { CsvOptions } from '../data/dialect.js';
import type { ColumnType } from '../data/frame.js';
import type { Task } from '../tasks/task.js';
import type { StepConfig } from '../preprocess/pipeline.js';
import type { JsonObject } from '../util/json.js';

export interface SplitConfig {
  train: number;
  validation: number;
  test: number;
  stratify: boolean;
  shuffle: boolean;
  /** A datetime column: split in time order (oldest rows train). */
  by: string | undefined;
}

export interface DataConfig {
  /** One file (or glob) split into train/validation/test ... */
  source: string | undefined;
  /** ... or separate files. Paths are resolved against the config file's directory. */
  train: string | undefined;
  validation: string | undefined;
  test: string | undefined;
  format: string | undefined;
  /** CSV/TSV dialect (`data.csv`) for every file of the config; what it leaves open is sniffed. */
  csv: CsvOptions;
  target: string;
  id: string | undefined;
  drop: string[];
  types: Record<string, ColumnType>;
  /** strptime formats of datetime columns named in `types` as {datetime: FORMAT}. */
  formats: Record<string, string>;
  split: SplitConfig;
}

export interface ModelConfig {
  /** The model family (the first of `candidates` when model.type is a list). */
  type: string;
  /** Every family model.type names: one, or several for the search to compare. */
  candidates: string[];
  params: JsonObject;
  /** Explicit version to register (the seed's `model.version`). */
  version: string | undefined;
  earlyStopping: boolean;
  /** False when the config named no family (no model: or no model.type) and soma chose it. */
  familyGiven: boolean;
  /** `model.training.refit`: refit on training + validation after the validated fit (pipeline/refit.ts). */
  refit: boolean | 'auto';
  /** Passed through to metadata for the serving and monitoring issues. */
  serving: JsonObject;
  monitoring: JsonObject;
}

export interface EvaluateConfig {
  metrics: string[] | undefined;
  gates: Record<string, string>;
  /** Input columns whose groups are compared for fairness on the test split. */
  sensitive: string[];
  /** Largest tolerated gap of a group's selection or true-positive rate below the best group's. */
  fairnessThreshold: number;
  /** `report`: warn when the model does not beat the task's trivial baseline; `required`: refuse to register it (exit 4). */
  baseline: 'report' | 'required';
}

/** The `search:` section, resolved (see src/search/schema.ts for the meaning of each key). */
export interface SearchConfig {
  method: 'grid' | 'random' | 'bayesian' | 'tpe' | 'hyperband';
  trials: number | undefined;
  timeout: number | undefined;
  metric: string | undefined;
  direction: 'maximize' | 'minimize' | undefined;
  cv: { folds: number; stratify: boolean; shuffle: boolean; groups: string | undefined; time: string | undefined };
  space: JsonObject;
  nJobs: number;
  seed: number;
  batch: number | undefined;
  startup: number | undefined;
  study: string | undefined;
  /** A shared study's PostgreSQL URL; undefined: the local journal. */
  storage: string | undefined;
  /** Seconds without a heartbeat after which a shared study's running trial is put back. */
  heartbeatTimeout: number;
  hyperband: { resource: string | undefined; min: number | undefined; max: number | undefined; eta: number };
}

export interface RegistryConfig {
  bump: 'auto' | 'major' | 'minor' | 'patch';
}

export interface SomaConfig {
  name: string;
  description: string;
  /** Undefined when the config leaves it to inference from the model family and target. */
  task: Task | undefined;
  seed: number;
  data: DataConfig;
  preprocess: StepConfig[];
  model: ModelConfig;
  evaluate: EvaluateConfig;
  /** Undefined without a `search:` section. */
  search: SearchConfig | undefined;
  registry: RegistryConfig;
}

/** A loaded config: the resolved values, where it came from and its canonical text. */
export interface LoadedConfig {
  config: SomaConfig;
  path: string;
  dir: string;
  /** The effective config (after --set) as YAML, saved beside every version. */
  resolvedYaml: string;
  /** The raw (validated) document as plain JSON. */
  raw: JsonObject;
}
