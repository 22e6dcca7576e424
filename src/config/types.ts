// The resolved configuration: what a validated soma.yaml means once defaults are applied.
// Everything downstream reads this, never the raw YAML.

import type { ColumnType } from '../data/frame.js';
import type { Task } from '../engine/matrix.js';
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
  target: string;
  id: string | undefined;
  drop: string[];
  types: Record<string, ColumnType>;
  split: SplitConfig;
}

export interface ModelConfig {
  type: string;
  params: JsonObject;
  /** Explicit version to register (the seed's `model.version`). */
  version: string | undefined;
  earlyStopping: boolean;
  /** Passed through to metadata for the serving and monitoring issues. */
  serving: JsonObject;
  monitoring: JsonObject;
}

export interface EvaluateConfig {
  metrics: string[] | undefined;
  gates: Record<string, string>;
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
