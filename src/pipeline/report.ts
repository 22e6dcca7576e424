// report.md: the human summary written beside every version, in Markdown so it reads well in a
// terminal, a pull request or a code review (report.html, beside it, has the charts).

import type { FairnessResult } from '../evaluate/fairness.js';
import type { JsonObject } from '../util/json.js';
import type { InputContract } from './contract.js';
import { formatGate, type GateResult } from './gates.js';

const fmt = (v: unknown): string => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : '');

/** What the report says about the run; the version itself is in metadata.json beside it. */
export interface ReportFacts {
  name: string;
  description: string;
  task: string;
  algorithm: string;
  target: string;
  source: string;
  rows: number;
  git: { git_commit: string | null; git_dirty: boolean | null };
}

export function renderReportMarkdown(facts: ReportFacts, contract: InputContract, metrics: JsonObject, gates: GateResult[]): string {
  const lines: string[] = [];
  lines.push(`# ${facts.name}`, '');
  if (facts.description) lines.push(facts.description, '');
  lines.push(`- task: ${facts.task}; algorithm: ${facts.algorithm}; target: \`${facts.target}\``);
  lines.push(`- trained on ${facts.rows} rows of \`${facts.source}\` (version, checksums and timings: metadata.json)`);
  if (facts.git.git_commit) lines.push(`- git ${facts.git.git_commit}${facts.git.git_dirty ? ' (dirty)' : ''}`);
  lines.push('', '## Metrics', '');
  const splits = ['train', 'validation', 'test'].filter((s) => metrics[s] && typeof metrics[s] === 'object');
  const names = [...new Set(splits.flatMap((s) => Object.keys(metrics[s] as JsonObject)))];
  lines.push(`| metric | ${splits.join(' | ')} |`, `|---|${splits.map(() => '---:').join('|')}|`);
  for (const n of names) lines.push(`| ${n} | ${splits.map((s) => fmt((metrics[s] as JsonObject)[n])).join(' | ')} |`);
  const cm = metrics['confusion_matrix'] as { labels: string[]; matrix: number[][]; split: string } | undefined;
  if (cm) {
    lines.push('', `## Confusion matrix (${cm.split}; rows = true class)`, '');
    lines.push(`| | ${cm.labels.join(' | ')} |`, `|---|${cm.labels.map(() => '---:').join('|')}|`);
    cm.matrix.forEach((row, i) => lines.push(`| **${cm.labels[i]}** | ${row.join(' | ')} |`));
  }
  const imp = metrics['feature_importance'] as { kind: string; values: Record<string, number> } | undefined;
  if (imp) {
    const top = Object.entries(imp.values).sort((a, b) => b[1] - a[1]).slice(0, 20);
    lines.push('', `## Feature importance (${imp.kind})`, '', '| feature | importance |', '|---|---:|');
    for (const [n, v] of top) lines.push(`| ${n} | ${fmt(v)} |`);
  }
  const perm = metrics['permutation_importance'] as { metric: string; split: string; rows: number; repeats: number; scored?: number; features?: number; values: Record<string, number>; std: Record<string, number> } | undefined;
  if (perm) {
    const top = Object.entries(perm.values).sort((a, b) => b[1] - a[1]).slice(0, 20);
    const subset = perm.scored !== undefined && perm.features !== undefined ? `, the ${perm.scored} features of highest model importance of ${perm.features}` : '';
    lines.push('', `## Permutation importance (drop in ${perm.metric} on ${perm.split}, ${perm.rows} rows, ${perm.repeats} shuffles${subset})`, '', '| feature | mean | std |', '|---|---:|---:|');
    for (const [n, v] of top) lines.push(`| ${n} | ${fmt(v)} | ${fmt(perm.std[n])} |`);
  }
  const fair = metrics['fairness'] as unknown as { split: string; threshold: number; columns: FairnessResult[] } | undefined;
  if (fair) {
    lines.push('', `## Fairness (${fair.split}; flagged: a rate more than ${fair.threshold} below the best group's)`);
    for (const f of fair.columns) {
      const metricNames = [...new Set(f.groups.flatMap((g) => Object.keys(g.metrics)))];
      lines.push('', `### ${f.column}`, '', `| group | rows | ${metricNames.join(' | ')} |`, `|---|---:|${metricNames.map(() => '---:').join('|')}|`);
      for (const g of f.groups) lines.push(`| ${g.group}${f.flagged.some((x) => x.group === g.group) ? ' ⚑' : ''} | ${g.rows} | ${metricNames.map((m) => fmt(g.metrics[m])).join(' | ')} |`);
      const gap = (name: string, v: FairnessResult['demographic_parity_difference']): string => `- ${name}: ${v === null ? '-' : v.value === 0 ? '0 (every group has the same rate)' : `${fmt(v.value)} (class ${v.class}: ${v.highest} highest, ${v.lowest} lowest)`}`;
      lines.push('', gap('demographic parity difference', f.demographic_parity_difference), gap('equal opportunity difference', f.equal_opportunity_difference));
      for (const x of f.flagged) lines.push(`- **flagged ${x.group}**: ${x.reasons.join('; ')}`);
    }
  }
  if (gates.length > 0) {
    lines.push('', '## Quality gates', '');
    for (const g of gates) lines.push(`- ${formatGate(g)}`);
  }
  lines.push('', '## Inputs', '', '| column | type | missing |', '|---|---|---:|');
  for (const c of contract.columns) lines.push(`| ${c.name} | ${c.type} | ${(c.missing_share * 100).toFixed(1)}% |`);
  lines.push('');
  return lines.join('\n');
}
