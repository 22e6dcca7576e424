// `soma train`: the part every task shares. Load the config, let the task's flow (flows/) fit and
// score it, check the quality gates, then write the flow's artifacts and register a new version
// with the automatic bump. What a flow returns is documented in flows/flow.ts.

import { loadConfig } from '../config/load.js';
import type { LoadedConfig, SomaConfig } from '../config/types.js';
import { SomaError } from '../errors.js';
import type { Task } from '../tasks/task.js';
import { registerBuiltinTasks } from '../tasks/index.js';
import { taskHint } from '../tasks/infer.js';
import type { TaskSpec } from '../tasks/spec.js';
import { familySpecs, findFamily } from '../models/families.js';
import { registerBuiltinEstimators } from '../models/index.js';
import type { Progress } from '../models/estimator.js';
import { chooseVersion, decideBump } from '../registry/bump.js';
import { gitLineage } from '../registry/lineage.js';
import type { MetadataBody } from '../registry/metadata.js';
import { writeVersionFiles } from '../registry/version-files.js';
import { Registry } from '../registry/store.js';
import type { BumpLevel } from '../registry/semver.js';
import { sha256 } from '../util/hash.js';
import type { JsonObject } from '../util/json.js';
import { PhaseTimer, type PhaseListener } from './timer.js';
import { evaluateGates, formatGate, gateAliases, recordedSplitMetrics, resolveGateBaselines, type GateResult } from './gates.js';
import { VERSION } from '../version.js';
import { flowFor } from './flows/index.js';
import { commonTasks } from './target.js';
import { assertNoIssues, metricIssues, versionIssue } from './preflight.js';
import { baselineGate, type BaselineResult } from './baseline.js';

export interface TrainOptions {
  config: string;
  sets?: readonly string[];
  registryDir: string;
  bump?: BumpLevel;
  version?: string;
  /** Gates from --fail-under/--fail-over, on top of the config's evaluate.gates. */
  extraGates?: Record<string, string>;
  /** Where study journals go when the config has a `search:` section: `<runsDir>/<name>/<study>/`. */
  runsDir: string;
  /** The command line, recorded in lineage. */
  command: string;
  cwd: string;
  onProgress?: (p: Progress) => void;
  /** What the run is doing now (loading, scoring a split, permutation importance, registering). */
  onPhase?: PhaseListener;
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
  /** Test-only (crash tests): a pause inside the registry lock, before the version is renamed into place. */
  pauseBeforeRenameMs?: number;
}

export interface TrainResult {
  name: string;
  version: string;
  id: string;
  path: string;
  task: Task;
  algorithm: string;
  /** By split: `{train, validation, test?, oob?}` for row-wise tasks, `{backtest}` for forecasting. */
  metrics: Record<string, Record<string, number>>;
  timings: { load_s: number; preprocess_s: number; fit_s: number; evaluate_s: number; total_s: number };
  bump: { level: string; reason: string };
  gates: GateResult[];
  /** The task's trivial baseline on the same splits, and whether the model beat it (row-wise tasks). */
  baseline?: BaselineResult;
  rows: { train: number; validation: number; test: number };
  features: number;
  /** What was trained on what, in one line (the CLI prints it under "registered ..."). */
  overview: string;
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  registerBuiltinEstimators();
  registerBuiltinTasks();
  const timer = new PhaseTimer(options.onPhase);
  const warn = options.onWarning ?? (() => {});
  const loaded: LoadedConfig = await loadConfig(options.config, { sets: options.sets ?? [] });
  if (!loaded.config.model.familyGiven) chooseFamily(loaded.config, warn);
  // The task picks the flow: named in the config, or implied by the model families; a task left
  // to the target column is decided by the row-wise flow, the only one that infers it.
  const known = knownBeforeData(loaded.config);
  // What fails whatever the data says fails now, before any search or fit: a version that exists,
  // metrics and gates that are not the task's or are never computed (a flow that infers the task
  // checks those once it knows it).
  assertNoIssues([
    ...(known ? metricIssues(loaded.config, known, options.extraGates ?? {}) : []),
    ...[await versionIssue(options.registryDir, loaded.config.name, options.version ?? loaded.config.model.version)].filter((i) => i !== undefined),
  ]);
  const run = await flowFor(known?.workflow).fit({ loaded, task: known, options, timer, warn });
  const { config } = loaded;
  const task = run.task.name;

  // Gates guard the registry: a model that fails them is reported (exit 4) and never registered.
  const gateSet = { ...config.evaluate.gates, ...options.extraGates };
  const gateSplit = run.gateSplit;
  // Relative gates ("> production - 0.01") compare with the alias version's recorded metric of the same split.
  const baselines = await resolveGateBaselines(options.registryDir, config.name, gateAliases(gateSet), (r) => recordedSplitMetrics(r, gateSplit));
  const gates = evaluateGates(gateSet, run.metrics[gateSplit] ?? {}, gateSplit, baselines);
  // A gate on a split with one class or a constant target would pass on nothing: it fails.
  const degenerate = run.degenerate?.[gateSplit];
  if (degenerate !== undefined) {
    for (const g of gates) {
      g.passed = false;
      g.note = `the ${gateSplit} split is degenerate: ${degenerate}`;
    }
  }
  // A model that does not beat the task's trivial baseline is refused like a failed gate when asked.
  if (run.baseline && config.evaluate.baseline === 'required') gates.push(baselineGate(run.baseline));
  if (gates.some((g) => !g.passed)) {
    const failed = gates.filter((g) => !g.passed);
    throw new SomaError('GATE_FAILED', `quality gate${failed.length > 1 ? 's' : ''} failed, nothing registered: ${failed.map(formatGate).join('; ')}`, {
      details: { gates: gates as unknown as JsonObject[], metrics: run.metrics as unknown as JsonObject },
    });
  }

  // ---- artifacts, written outside the registry lock ----
  const git = await gitLineage(options.cwd);
  const made = await run.artifacts({ gates, git });
  timer.step('registering');
  const registry = new Registry(options.registryDir);
  const bumpLevel = options.bump ?? (config.registry.bump !== 'auto' ? config.registry.bump : undefined);
  const explicitVersion = options.version ?? config.model.version;
  const md = made.metadata;

  const registered = await registry.register(
    config.name,
    {
      write: (dir) => writeVersionFiles(dir, { ...made.files, config: loaded.resolvedYaml }),
      decide: ({ latest, existing }) =>
        chooseVersion(existing, decideBump(latest, made.bump, { ignoreParams: RUNTIME_PARAMS }), {
          ...(bumpLevel !== undefined ? { bump: bumpLevel } : {}),
          ...(explicitVersion !== undefined ? { version: explicitVersion } : {}),
        }),
      finalize: ({ parent }): MetadataBody => ({
        description: config.description,
        task,
        algorithm: run.algorithm,
        framework: `soma ${VERSION}`,
        created_at: new Date().toISOString(),
        training_duration_s: timer.seconds('fit'),
        trained_on: md.trainedOn,
        target: md.target,
        features: md.features,
        hyperparameters: md.hyperparameters,
        metrics: md.metrics,
        lineage: {
          parent,
          config_sha256: sha256(loaded.resolvedYaml),
          preprocess_sha256: md.preprocessSha256,
          git_commit: git.git_commit,
          git_dirty: git.git_dirty,
          command: options.command,
        },
        timings: {
          load_s: timer.seconds('load'),
          preprocess_s: timer.seconds('preprocess'),
          fit_s: timer.seconds('fit'),
          evaluate_s: timer.seconds('evaluate'),
          total_s: timer.total(),
        },
        summary: md.summary,
      }),
    },
    { command: options.command, onNotice: warn, ...(options.pauseBeforeRenameMs ? { pauseBeforeRenameMs: options.pauseBeforeRenameMs } : {}) },
  );

  return {
    name: registered.metadata.name,
    version: registered.metadata.version,
    id: registered.metadata.id,
    path: registered.dir,
    task,
    algorithm: run.algorithm,
    metrics: run.metrics,
    timings: registered.metadata.timings,
    bump: registered.bump,
    gates,
    ...(run.baseline ? { baseline: run.baseline } : {}),
    rows: run.rows,
    features: run.features,
    overview: run.overview,
  };
}

/**
 * A config without model: trains the default family (config/resolve.ts, DEFAULT_FAMILY), or for a
 * task it does not do (forecasting, recommendation) the first family registered for that task;
 * either way the user is told which, and how to choose another.
 */
function chooseFamily(config: SomaConfig, warn: (message: string) => void): void {
  let family = findFamily(config.model.type);
  const task = config.task;
  if (task !== undefined && !family.tasks.includes(task as Task)) {
    const other = familySpecs().find((f) => f.tasks.includes(task as Task));
    if (other) family = other;
  }
  config.model.type = family.name;
  config.model.candidates = [family.name];
  warn(
    family.name === 'gbdt'
      ? 'no model: in the config, so soma trains gbdt (gradient boosted trees at scikit-learn HistGradientBoosting\'s defaults: missing values and categories taken natively, at or near scikit-learn on small tables, histogram training for millions of rows); set model: {type: ...} to choose'
      : `no model: in the config, so soma trains ${family.name} (the first family for task ${task}); set model: {type: ...} to choose`,
  );
}

/**
 * The task known before the data is read: the configured one, else the one every model family
 * of the config supports when that is a single task; undefined when the target column decides.
 */
function knownBeforeData(config: SomaConfig): TaskSpec | undefined {
  return taskHint(config.task, commonTasks(config.model.candidates.map(findFamily)));
}

/**
 * Params that cannot change the fitted model (threads, verbosity) do not count as a
 * hyperparameter change, on either side: the latest version's metadata records them (n_jobs 0)
 * while a rerun may leave them unset.
 */
const RUNTIME_PARAMS: readonly string[] = ['n_jobs', 'verbose'];
