// What can be checked about a config before a long run: its data files exist and hold the
// columns it names, its metrics and gates belong to its task and are computed, and an explicit
// version is not taken. `soma validate` reports every problem found; `soma train` runs the same
// checks first (the version before reading anything, metrics and gates before fitting), so a
// gate that can never pass or a version that exists stops it in seconds rather than after the fit.

import path from 'node:path';
import type { LoadedConfig, SomaConfig } from '../config/types.js';
import { headerWarning } from '../data/dialect.js';
import { inspectColumns, readFrame } from '../data/read.js';
import { isSomaError, SomaError, type SomaErrorCode } from '../errors.js';
import { metricNames, resolveMetricNames } from '../evaluate/metrics/index.js';
import { findFamily } from '../models/families.js';
import { parseVersion } from '../registry/semver.js';
import { Registry } from '../registry/store.js';
import { inferTask, taskHint } from '../tasks/infer.js';
import type { TaskSpec } from '../tasks/spec.js';
import { commonTasks } from './target.js';

export interface PreflightIssue {
  /** The config key the problem is about (`data.target`, `evaluate.gates.roc_auc`, `model.version`). */
  key: string;
  message: string;
  hint?: string;
  /** The code `soma train` would stop with. */
  code: SomaErrorCode;
}

export interface PreflightOptions {
  registryDir: string;
  /** Gates from --fail-under/--fail-over, beside evaluate.gates. */
  extraGates?: Record<string, string>;
  /** --version, over model.version. */
  version?: string;
  /** false skips the data checks (and infers nothing from the target). */
  data?: boolean;
}

/** Every problem that can be found without training, in config order. */
export async function preflight(loaded: LoadedConfig, options: PreflightOptions): Promise<PreflightIssue[]> {
  const { config } = loaded;
  const issues: PreflightIssue[] = [];
  let task: TaskSpec | undefined = knownTask(config);
  if (options.data !== false) {
    const found = await dataIssues(loaded, task);
    issues.push(...found.issues);
    task ??= found.task;
  }
  if (task) issues.push(...metricIssues(config, task, options.extraGates ?? {}));
  const v = await versionIssue(options.registryDir, config.name, options.version ?? config.model.version);
  if (v) issues.push(v);
  return issues;
}

/** Throws the first issue as the SomaError train would have stopped with (all of them in details). */
export function assertNoIssues(issues: readonly PreflightIssue[]): void {
  const first = issues[0];
  if (!first) return;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more: ${issues.slice(1).map((i) => i.key).join(', ')})` : '';
  throw new SomaError(first.code, `${first.key}: ${first.message}${more}`, { ...(first.hint ? { hint: first.hint } : {}), details: { issues: issues.map((i) => ({ ...i })) } });
}

/** The task when the config or its model families settle it without looking at data (as train's flow lookup). */
export function knownTask(config: SomaConfig): TaskSpec | undefined {
  return taskHint(config.task, commonTasks(config.model.candidates.map(findFamily)));
}

/** Each data file exists, reads, and has every column the config names; the task from the target when the config leaves it open. */
async function dataIssues(loaded: LoadedConfig, known: TaskSpec | undefined): Promise<{ issues: PreflightIssue[]; task?: TaskSpec }> {
  const { config } = loaded;
  const d = config.data;
  const issues: PreflightIssue[] = [];
  const files = (['source', 'train', 'validation', 'test'] as const).filter((k) => d[k] !== undefined).map((k) => ({ key: `data.${k}`, file: d[k]! }));
  // A task that reads no target (recommendation: users and items) checks its own columns in its flow.
  const named: [string, string][] = known?.config?.noTarget ? [] : [['data.target', d.target]];
  if (d.id !== undefined) named.push(['data.id', d.id]);
  if (d.split.by !== undefined) named.push(['data.split.by', d.split.by]);
  for (const c of d.drop) named.push(['data.drop', c]);
  for (const c of Object.keys(d.types)) named.push([`data.types.${c}`, c]);
  for (const c of config.evaluate.sensitive) named.push(['evaluate.sensitive', c]);
  if (config.search?.cv.groups) named.push(['search.cv.groups', config.search.cv.groups]);
  if (config.search?.cv.time) named.push(['search.cv.time', config.search.cv.time]);
  let firstReadable: string | undefined;
  for (const { key, file } of files) {
    const abs = path.isAbsolute(file) ? file : path.join(loaded.dir, file);
    let columns: string[];
    try {
      columns = (await inspectColumns(abs, d.format, d.csv)).map((c) => c.name);
    } catch (e) {
      if (!isSomaError(e)) throw e;
      issues.push({ key, message: e.message.replace(abs, file), ...(e.hint ? { hint: e.hint } : {}), code: e.code });
      continue;
    }
    firstReadable ??= abs;
    const present = new Set(columns);
    for (const [k, c] of named) {
      if (present.has(c)) continue;
      const header = headerWarning(file, columns);
      issues.push({ key: k, message: `column ${JSON.stringify(c)} not found in ${file} (columns: ${columns.join(', ')})`, ...(header ? { hint: header } : {}), code: 'DATA_MISSING_COLUMN' });
    }
  }
  if (config.task !== undefined || !firstReadable || issues.length > 0) return { issues };
  // The task the families leave open follows the target's type: read that one column.
  try {
    const families = config.model.candidates.map(findFamily);
    const target = await readFrame(firstReadable, { format: d.format, csv: d.csv, columns: [d.target], types: pick(d.types, d.target), formats: d.formats });
    return { issues, task: inferTask(undefined, commonTasks(families), target.column(d.target)!) };
  } catch (e) {
    if (!isSomaError(e)) throw e;
    issues.push({ key: 'data.target', message: e.message, ...(e.hint ? { hint: e.hint } : {}), code: e.code });
    return { issues };
  }
}

function pick<T>(record: Record<string, T>, key: string): Record<string, T> {
  return record[key] === undefined ? {} : { [key]: record[key]! };
}

/**
 * evaluate.metrics, search.metric and every gate name a metric of the task, and every gate's
 * metric is computed (in evaluate.metrics when that list is given): otherwise the gate would
 * report "not computed" and fail after the whole run.
 */
export function metricIssues(config: SomaConfig, task: TaskSpec, extraGates: Record<string, string>): PreflightIssue[] {
  const issues: PreflightIssue[] = [];
  // The registry's own check, so names at any k (ndcg@10) count as the task's where they do.
  const isOwn = (m: string): boolean => {
    try {
      resolveMetricNames(task.name, [m]);
      return true;
    } catch {
      return false;
    }
  };
  const notOfTask = (key: string, metric: string): PreflightIssue => ({
    key,
    message: `${metric} is not a ${task.name} metric (expected one of: ${metricNames(task.name).join(', ')})`,
    code: 'CONFIG_INVALID',
  });
  for (const m of config.evaluate.metrics ?? []) if (!isOwn(m)) issues.push(notOfTask('evaluate.metrics', m));
  if (config.search?.metric !== undefined && !isOwn(config.search.metric)) issues.push(notOfTask('search.metric', config.search.metric));
  // Only a list the config gives can leave a gate's metric out (the defaults are the flow's to choose).
  const listed = config.evaluate.metrics?.filter(isOwn);
  const gates: [string, string][] = [
    ...Object.keys(config.evaluate.gates).map((m): [string, string] => [`evaluate.gates.${m}`, m]),
    ...Object.keys(extraGates).filter((m) => !(m in config.evaluate.gates)).map((m): [string, string] => [`--fail-under/--fail-over ${m}`, m]),
  ];
  for (const [key, m] of gates) {
    if (!isOwn(m)) issues.push(notOfTask(key, m));
    else if (listed && !listed.includes(m)) {
      issues.push({
        key,
        message: `the gate's metric ${m} is not computed: evaluate.metrics lists ${listed.join(', ')}`,
        hint: `add ${m} to evaluate.metrics, or remove the gate`,
        code: 'CONFIG_INVALID',
      });
    }
  }
  return issues;
}

/** REGISTRY_CONFLICT when an explicit version of the model already exists. */
export async function versionIssue(registryDir: string, name: string, version: string | undefined): Promise<PreflightIssue | undefined> {
  if (version === undefined) return undefined;
  const v = parseVersion(version, '--version');
  const wanted = `${v.major}.${v.minor}.${v.patch}`;
  const existing = await new Registry(registryDir).listVersions(name);
  if (!existing.includes(wanted)) return undefined;
  return {
    key: 'model.version',
    message: `${name} ${wanted} already exists in ${registryDir} (a version never repeats)`,
    hint: `the highest is ${existing[existing.length - 1]}; leave the version out for the automatic bump, or pick one that is free`,
    code: 'REGISTRY_CONFLICT',
  };
}
