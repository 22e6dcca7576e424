// What a task's training flow owes the shared part of `soma train` (pipeline/train.ts).
//
// `soma train` is one shared frame around a flow chosen by the task (`TaskSpec.workflow`, looked
// up in flows/index.ts). The shared part loads the config, picks the flow, times the phases,
// checks the quality gates, decides the version bump, writes the version directory, registers it
// under the model lock and returns the result. A flow does the task's own work in two steps:
//
//   1. `fit(ctx)` reads the data, fits and scores, and returns a FittedRun: the task it trained,
//      the model family, the metrics by split (or by `backtest`), which of those splits the gates
//      judge, and the counts the CLI prints. Nothing is written yet: a failed gate stops here, so a
//      flow keeps costly analysis (charts, permutation importance) for step 2.
//   2. `run.artifacts({gates, git})`, only after every gate passed, returns what is saved:
//        files     model.json (+ estimator files), preprocess.json, features.json (the input
//                  contract `predict`/`forecast` check inputs against), metrics.json, profile.json
//                  (with a drift reference when the flow builds one), search.json (when a search
//                  ran), report.md and report.html (the flow's own sections; the gates are given);
//        bump      the inputs of the automatic semver rule (registry/bump.ts): task, target,
//                  family, input columns, preprocessing and hyperparameter fingerprints, data hash;
//        metadata  the flow's part of metadata.json: target, input columns, hyperparameters,
//                  metrics (the metrics.json content), trained_on, preprocess fingerprint, summary.
//
// The shared part fills in everything else (name, version, id, config, lineage, timings,
// framework). Phases are timed on `ctx.timer` under the names metadata's `timings` reports:
// load, preprocess, fit, evaluate. Gates are checked on `metrics[gateSplit]`, and relative gates
// ("<= production") on the alias version's recorded metrics of the same split, so a flow that
// scores on a `backtest` gets `mase: "<= production"` against the production version's backtest.
//
// Adding a flow: one file exporting a TrainFlow, one Workflow name in tasks/spec.ts and one entry
// in flows/index.ts (a Record over Workflow, so a missing entry does not compile).

import type { LoadedConfig } from '../../config/types.js';
import type { Progress } from '../../models/estimator.js';
import type { BumpInputs } from '../../registry/bump.js';
import type { GitLineage } from '../../registry/lineage.js';
import type { ModelFeature, TrainedOn } from '../../registry/metadata.js';
import type { VersionFilesInput } from '../../registry/version-files.js';
import type { TaskSpec } from '../../tasks/spec.js';
import type { JsonObject } from '../../util/json.js';
import type { GateResult } from '../gates.js';
import type { BaselineResult } from '../baseline.js';
import type { PhaseTimer } from '../timer.js';

/** What a flow may use of `soma train`'s options. */
export interface FlowOptions {
  /** Where study journals go when the config has a `search:` section. */
  runsDir: string;
  /** Gates from --fail-under/--fail-over (checked against the task once a flow infers it). */
  extraGates?: Record<string, string>;
  cwd: string;
  onProgress?: (p: Progress) => void;
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
}

export interface FlowContext {
  /** The loaded config; a flow may rewrite its model section (a search's best trial). */
  loaded: LoadedConfig;
  /** The task when it is known before any data is read (configured, or implied by the model families). */
  task: TaskSpec | undefined;
  options: FlowOptions;
  timer: PhaseTimer;
  warn: (message: string) => void;
}

/** Metrics of one split (or of a backtest), `{metric: value}`. */
export type SplitMetrics = Record<string, number>;

export interface FittedRun {
  task: TaskSpec;
  /** Canonical family name (aliases resolved); the one chosen when several competed. */
  algorithm: string;
  /**
   * Metrics by split, as `train --json` prints them and the CLI tabulates them: row-wise flows
   * give `{train, validation, test?, oob?}`, a forecasting flow `{backtest}`.
   */
  metrics: Record<string, SplitMetrics>;
  /** The key of `metrics` the gates judge (test, else validation; backtest). */
  gateSplit: string;
  /** Splits whose target is degenerate (no rows, one class, constant), with why: gates on them fail. */
  degenerate?: Record<string, string>;
  /** `rows` and `features` of `train --json` (a flow without the notion reports 0). */
  rows: { train: number; validation: number; test: number };
  features: number;
  /** The one line under "registered ..." that says what was trained on what. */
  overview: string;
  /** The task's trivial baseline scored on the same splits (flows whose task has one). */
  baseline?: BaselineResult;
  /** Builds what is saved; called once, after every gate passed. */
  artifacts(input: { gates: readonly GateResult[]; git: GitLineage }): Promise<RunArtifacts>;
}

/** What the flow saves; the shared part adds config.yaml and metadata.json. */
export interface RunArtifacts {
  files: Omit<VersionFilesInput, 'config'>;
  bump: BumpInputs;
  metadata: {
    target: string;
    features: ModelFeature[];
    hyperparameters: JsonObject;
    /** metrics.json's content, also metadata.json's `metrics`. */
    metrics: JsonObject;
    trainedOn: TrainedOn;
    /** SHA-256 of the canonical preprocessing spec (lineage.preprocess_sha256). */
    preprocessSha256: string;
    summary: JsonObject;
  };
}

export interface TrainFlow {
  fit(ctx: FlowContext): Promise<FittedRun>;
}
