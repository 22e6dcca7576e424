// report.html of a trained version: gathers what train knows (facts, metrics, gates, the split
// analysis, the training profile, the config) into the evaluate/ renderer's input; and the same
// page for `soma evaluate --report` on any labelled file.

import path from 'node:path';
import type { Frame } from '../data/frame.js';
import { profileFrame, type ColumnProfile } from '../data/profile.js';
import type { FeatureMatrix } from '../engine/matrix.js';
import type { Target } from '../tasks/task.js';
import { renderReportHtml } from '../evaluate/report-html.js';
import type { MetricsBySplit } from '../evaluate/table.js';
import type { FeatureImportance } from '../models/estimator.js';
import type { InputContract } from './contract.js';
import { formatGate, type GateResult } from './gates.js';
import type { ReportFacts } from './report.js';
import { writeFileAtomic } from '../registry/atomic.js';
import { analyseSplit, type SplitAnalysis } from './report-analysis.js';
import type { LoadedModel } from './loaded-model.js';

export interface HtmlReportParts {
  facts: ReportFacts;
  contract: InputContract;
  metrics: MetricsBySplit;
  gates: readonly GateResult[];
  /** The split the analysis ran on (test, or validation when there is no test split). */
  split: string;
  analysis?: SplitAnalysis;
  importance?: FeatureImportance;
  fairnessThreshold: number;
  profile: { rows: number; columns: readonly ColumnProfile[] };
  config: string;
  /** ISO time; injectable so tests get a stable page. */
  now?: string;
}

export function renderTrainReportHtml(p: HtmlReportParts): string {
  const f = p.facts;
  const facts: [string, string][] = [
    ['task', f.task],
    ['algorithm', f.algorithm],
    ['target', f.target],
    ['training data', `${f.rows} rows of ${f.source}`],
    ['inputs', `${p.contract.columns.length} columns${p.contract.classes.length ? `; classes ${p.contract.classes.join(', ')}` : ''}`],
  ];
  if (f.git.git_commit) facts.push(['git', `${f.git.git_commit}${f.git.git_dirty ? ' (dirty)' : ''}`]);
  return renderReportHtml({
    title: f.name,
    description: f.description,
    facts,
    metrics: p.metrics,
    gates: p.gates.map((g) => ({ text: formatGate(g), passed: g.passed })),
    split: p.split,
    ...(p.analysis?.diagnostics ? { diagnostics: p.analysis.diagnostics } : {}),
    ...(p.importance ? { importance: p.importance } : {}),
    ...(p.analysis?.permutation ? { permutation: p.analysis.permutation } : {}),
    ...(p.analysis && p.analysis.fairness.length > 0 ? { fairness: { threshold: p.fairnessThreshold, results: p.analysis.fairness } } : {}),
    profile: { rows: p.profile.rows, columns: p.profile.columns },
    config: p.config,
    generatedAt: p.now ?? new Date().toISOString(),
  });
}

export interface EvaluationReportParts {
  model: LoadedModel;
  /** The evaluated rows: raw input columns (for the profile), features and encoded target. */
  frame: Frame;
  X: FeatureMatrix;
  y: Target;
  metrics: Record<string, number>;
  gates: readonly GateResult[];
  /** The data file as the user named it. */
  data: string;
  now?: string;
}

/**
 * `soma evaluate --report FILE`: the same page as a version's report.html, for a registered model
 * on any labelled file (charts and permutation importance on those rows, their profile), written
 * atomically so a reader never sees half a page.
 */
export async function writeEvaluationReport(file: string, p: EvaluationReportParts): Promise<void> {
  const { resolved, contract } = p.model;
  const md = resolved.metadata;
  const analysis = analyseSplit({
    model: p.model.pipeline.wrapEstimator(p.model.estimator),
    X: p.X,
    y: p.y,
    frame: p.frame,
    classes: contract.classes,
    seed: 42,
    sensitive: [],
    fairnessThreshold: 0.1,
  });
  const importance = p.model.estimator.featureImportance?.();
  const html = renderReportHtml({
    title: `${resolved.id} on ${path.basename(p.data)}`,
    description: md.description,
    facts: [
      ['model', `${resolved.id} (${md.task} · ${md.algorithm} · target ${contract.target})`],
      ['evaluated on', `${p.frame.rows} rows of ${p.data}`],
      ['trained on', `${md.trained_on.rows} rows of ${md.trained_on.source}`],
    ],
    metrics: { [path.basename(p.data)]: p.metrics },
    gates: p.gates.map((g) => ({ text: formatGate(g), passed: g.passed })),
    split: path.basename(p.data),
    ...(analysis.diagnostics ? { diagnostics: analysis.diagnostics } : {}),
    ...(importance ? { importance } : {}),
    ...(analysis.permutation ? { permutation: analysis.permutation } : {}),
    profile: { rows: p.frame.rows, columns: profileFrame(p.frame.drop([contract.target])), heading: 'Evaluation data', what: path.basename(p.data) },
    generatedAt: p.now ?? new Date().toISOString(),
    footer: `The model's version, checksums and timings are in ${path.join(resolved.dir, 'metadata.json')}.`,
  });
  await writeFileAtomic(file, html);
}
