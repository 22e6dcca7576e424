// report.html: one self-contained page per version, for a person to read. Inline CSS and inline
// SVG only: no scripts, no fonts, no images, no network (a Content-Security-Policy of
// default-src 'none' makes the browser refuse anything else), so it opens from a registry
// directory, an e-mail attachment or a CI artifact alike.

import { barChart, heatmap, lineChart, scatterChart } from './svg/charts.js';
import { escapeXml } from './svg/svg.js';
import type { ClassificationDiagnostics, Diagnostics, RegressionDiagnostics } from './diagnostics.js';
import type { FairnessResult } from './fairness.js';
import type { PermutationImportance } from './permutation.js';
import { formatMetricValue, type MetricsBySplit } from './table.js';

/** One column of the training data profile (the shape of data/profile's ColumnProfile). */
export interface ProfileRow {
  name: string;
  type: string;
  rows?: number;
  missing_share: number;
  unique?: number;
  min?: number | null;
  max?: number | null;
  mean?: number | null;
  std?: number | null;
  top?: { value: string; count: number }[];
}

export interface HtmlReportInput {
  title: string;
  description?: string;
  /** Label / value pairs for the summary list (task, algorithm, rows, source, git, ...). */
  facts: readonly (readonly [string, string])[];
  metrics: MetricsBySplit;
  gates?: readonly { text: string; passed: boolean }[];
  /** Which split the charts, importance and fairness were computed on. */
  split: string;
  diagnostics?: Diagnostics;
  importance?: { kind: string; names: readonly string[]; values: readonly number[] };
  permutation?: PermutationImportance;
  fairness?: { threshold: number; results: readonly FairnessResult[] };
  /** A data profile; `heading` and `what` default to the training split's ("Training data"). */
  profile?: { rows: number; columns: readonly ProfileRow[]; heading?: string; what?: string };
  /** A task's own sections (already escaped HTML), after the charts: a recommender's lists and curves. */
  sections?: readonly { id: string; title: string; html: string }[];
  /** The effective config, as YAML. */
  config?: string;
  generatedAt: string;
  /** A closing line; default: where the version's metadata lives. */
  footer?: string;
}

/** Bars shown per importance chart; the rest are in metrics.json. */
const TOP_FEATURES = 20;

const CSS = `
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#fff;--soft:#f6f8fa;--ok:#1a7f37;--bad:#cf222e;--accent:#0072b2}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1160px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:18px 0 6px}
p.lead{color:var(--muted);margin:0 0 14px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
table{border-collapse:collapse;margin:6px 0 10px;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid var(--line);padding:4px 10px;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600}td.num,th.num{text-align:right}
.gates{list-style:none;padding:0;margin:8px 0}
.gate{padding:3px 8px;margin:3px 0;border-left:4px solid var(--ok);background:#f0fff4}
.gate.failed{border-left-color:var(--bad);background:#fff5f5}
.charts{display:flex;flex-wrap:wrap;gap:18px}
.charts figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:6px;background:#fff}
.charts figcaption{color:var(--muted);font-size:12px;max-width:440px;padding:0 6px 4px}
svg.chart{display:block;font:11px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
svg .chart-title{font-size:13px;font-weight:600;fill:var(--fg)}
svg .grid{stroke:#eaeef2}svg .frame{fill:none;stroke:#8c959f}svg .axis{stroke:#57606a}
svg .tick,svg .legend,svg .value{fill:#424a53}svg .axis-label{fill:#24292f;font-size:12px}
svg .series{fill:none;stroke-width:2}svg .reference{stroke:#8c959f;stroke-dasharray:4 4}
svg .points circle{fill-opacity:.55}svg .error-bar{stroke:#24292f;stroke-width:1.5}
svg .cell-label{font-size:12px;font-weight:600}
.flag{color:var(--bad);font-weight:600}
pre{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:12px;overflow:auto;font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
footer{margin-top:36px;color:var(--muted);font-size:12px}
`;

export function renderReportHtml(r: HtmlReportInput): string {
  const sections: string[] = [];
  sections.push(
    `<header id="summary"><h1>${escapeXml(r.title)}</h1>${r.description ? `<p class="lead">${escapeXml(r.description)}</p>` : ''}`,
    `<dl class="facts">${r.facts.map(([k, v]) => `<dt>${escapeXml(k)}</dt><dd>${escapeXml(v)}</dd>`).join('')}</dl></header>`,
  );
  sections.push(metricsSection(r.metrics, r.gates ?? []));
  if (r.diagnostics) sections.push(chartsSection(r.diagnostics, r.split));
  const imp = importanceSection(r.importance, r.permutation, r.split);
  if (imp) sections.push(imp);
  if (r.fairness && r.fairness.results.length > 0) sections.push(fairnessSection(r.fairness.threshold, r.fairness.results, r.split));
  for (const s of r.sections ?? []) sections.push(`<section id="${escapeXml(s.id)}"><h2>${escapeXml(s.title)}</h2>${s.html}</section>`);
  if (r.profile) sections.push(profileSection(r.profile));
  if (r.config !== undefined) sections.push(`<section id="config"><h2>Config</h2><pre>${escapeXml(r.config)}</pre></section>`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeXml(r.title)} · soma report</title>
<style>${CSS}</style>
</head>
<body>
<main>
${sections.join('\n')}
<footer>Generated by soma on ${escapeXml(r.generatedAt)}. ${escapeXml(r.footer ?? 'Version, checksums and timings are in metadata.json beside this file.')}</footer>
</main>
</body>
</html>
`;
}

function metricsSection(metrics: MetricsBySplit, gates: readonly { text: string; passed: boolean }[]): string {
  const splits = ['train', 'validation', 'test', ...Object.keys(metrics).filter((s) => !['train', 'validation', 'test'].includes(s))].filter((s) => metrics[s] && Object.keys(metrics[s]!).length > 0);
  const names = [...new Set(splits.flatMap((s) => Object.keys(metrics[s]!)))];
  const head = `<tr><th>metric</th>${splits.map((s) => `<th class="num">${escapeXml(s)}</th>`).join('')}</tr>`;
  const rows = names.map((n) => `<tr><td>${escapeXml(n)}</td>${splits.map((s) => `<td class="num">${escapeXml(formatMetricValue(metrics[s]![n]))}</td>`).join('')}</tr>`);
  const gateList = gates.length
    ? `<h3>Quality gates</h3><ul class="gates">${gates.map((g) => `<li class="gate${g.passed ? '' : ' failed'}">${g.passed ? '✓' : '✗'} ${escapeXml(g.text)}</li>`).join('')}</ul>`
    : '';
  return `<section id="metrics"><h2>Metrics</h2><table class="metrics">${head}${rows.join('')}</table>${gateList}</section>`;
}

function figure(svg: string, caption: string): string {
  return `<figure>${svg}<figcaption>${escapeXml(caption)}</figcaption></figure>`;
}

function chartsSection(d: Diagnostics, split: string): string {
  return `<section id="charts"><h2>Evaluation charts</h2><div class="charts">${chartFigures(d, split).join('')}</div></section>`;
}

/** One case per kind of chart data: a task contributing a new kind fails to compile until it is drawn here. */
function chartFigures(d: Diagnostics, split: string): string[] {
  switch (d.kind) {
    case 'classification':
      return classificationFigures(d, split);
    case 'regression':
      return regressionFigures(d, split);
    default:
      return unknownDiagnostics(d);
  }
}

function unknownDiagnostics(d: never): never {
  throw new Error(`report: no charts for diagnostics ${JSON.stringify((d as { kind?: unknown }).kind)}`);
}

/** ROC, precision-recall and calibration curves (with probabilities), and the confusion matrix. */
function classificationFigures(d: ClassificationDiagnostics, split: string): string[] {
  const figs: string[] = [];
  const names = (c: { label: string }, v: number | null, what: string): string => (v === null ? c.label : `${c.label} (${what} ${v.toFixed(3)})`);
  if (d.curves.length > 0) {
    const ovr = d.classes.length > 2 ? `, one class against the rest${d.classes.length > d.curves.length ? ` (${d.curves.length} most frequent of ${d.classes.length} classes)` : ''}` : '';
    figs.push(
      figure(
        lineChart({
          id: 'chart-roc',
          kind: 'roc',
          title: 'ROC curve',
          xLabel: 'false-positive rate',
          yLabel: 'true-positive rate',
          xDomain: [0, 1],
          yDomain: [0, 1],
          reference: { x0: 0, y0: 0, x1: 1, y1: 1, label: 'chance' },
          legend: true,
          series: d.curves.map((c) => ({ name: names(c, c.roc.auc, 'AUC'), x: c.roc.fpr, y: c.roc.tpr })),
        }),
        `${split} split${ovr}; the dashed diagonal is a random ranking.`,
      ),
      figure(
        lineChart({
          id: 'chart-pr',
          kind: 'pr',
          title: 'Precision-recall curve',
          xLabel: 'recall',
          yLabel: 'precision',
          xDomain: [0, 1],
          yDomain: [0, 1.02],
          legend: true,
          series: d.curves.map((c) => ({ name: names(c, c.pr.average_precision, 'AP'), x: c.pr.recall, y: c.pr.precision })),
        }),
        `${split} split${ovr}; AP is the average precision (pr_auc).`,
      ),
      figure(
        lineChart({
          id: 'chart-calibration',
          kind: 'calibration',
          title: 'Calibration',
          xLabel: 'mean predicted probability',
          yLabel: 'observed share of the class',
          xDomain: [0, 1],
          yDomain: [0, 1],
          reference: { x0: 0, y0: 0, x1: 1, y1: 1, label: 'perfect calibration' },
          series: d.curves.map((c) => ({ name: c.label, x: c.calibration.mean_predicted, y: c.calibration.fraction_positive, markers: true })),
        }),
        `${split} split, 10 equal-width probability bins (empty bins left out); points on the diagonal are calibrated.`,
      ),
    );
  }
  figs.push(
    figure(
      heatmap({ id: 'chart-confusion', kind: 'confusion', title: 'Confusion matrix', rowLabels: d.classes, colLabels: d.classes, values: d.confusion, xLabel: 'predicted class', yLabel: 'true class' }),
      `${split} split; counts, shaded by the share of the true class's rows (recall on the diagonal).`,
    ),
  );
  return figs;
}

/** Residuals against predictions, and predictions against the actual values. */
function regressionFigures(d: RegressionDiagnostics, split: string): string[] {
  const figs: string[] = [];
  const sampled = d.actual.length < d.rows ? ` (a sample of ${d.actual.length} of ${d.rows} rows)` : '';
  figs.push(
    figure(
      scatterChart({ id: 'chart-residuals', kind: 'residuals', title: 'Residuals against predictions', xLabel: 'predicted', yLabel: 'residual (actual - predicted)', x: d.predicted, y: d.residuals, hline: 0 }),
      `${split} split${sampled}; a pattern (a funnel or a curve) means the errors depend on the prediction.`,
    ),
    figure(
      scatterChart({ id: 'chart-predicted-actual', kind: 'predicted-actual', title: 'Predicted against actual', xLabel: 'actual', yLabel: 'predicted', x: d.actual, y: d.predicted, diagonal: true }),
      `${split} split${sampled}; points on the diagonal are exact.`,
    ),
  );
  return figs;
}

function importanceSection(imp: HtmlReportInput['importance'], perm: PermutationImportance | undefined, split: string): string | undefined {
  const figs: string[] = [];
  if (imp && imp.names.length > 0) {
    const order = imp.names.map((_, i) => i).sort((a, b) => Math.abs(imp.values[b]!) - Math.abs(imp.values[a]!)).slice(0, TOP_FEATURES);
    figs.push(
      figure(
        barChart({ id: 'chart-importance', kind: 'importance', title: `Model importance (${imp.kind})`, labels: order.map((i) => imp.names[i]!), values: order.map((i) => imp.values[i]!), xLabel: imp.kind }),
        `The model's own importance${imp.names.length > TOP_FEATURES ? `, top ${TOP_FEATURES} of ${imp.names.length}` : ''}.`,
      ),
    );
  }
  if (perm && perm.names.length > 0) {
    const order = perm.names.map((_, i) => i).sort((a, b) => perm.mean[b]! - perm.mean[a]!).slice(0, TOP_FEATURES);
    figs.push(
      figure(
        barChart({
          id: 'chart-permutation',
          kind: 'permutation',
          title: `Permutation importance (${perm.metric})`,
          labels: order.map((i) => perm.names[i]!),
          values: order.map((i) => perm.mean[i]!),
          errors: order.map((i) => perm.std[i]!),
          xLabel: `drop in ${perm.metric} when the feature is shuffled`,
        }),
        `${split} split, ${perm.rows} rows, ${perm.repeats} shuffles per feature${perm.names.length < perm.width ? `, the ${perm.names.length} features of highest model importance of ${perm.width}` : ''} (bars: mean, lines: ± one standard deviation); baseline ${perm.metric} ${perm.baseline.toFixed(4)}.`,
      ),
    );
  }
  if (figs.length === 0) return undefined;
  return `<section id="importance"><h2>Feature importance</h2><div class="charts">${figs.join('')}</div></section>`;
}

function fairnessSection(threshold: number, results: readonly FairnessResult[], split: string): string {
  const parts: string[] = [`<section id="fairness"><h2>Fairness</h2><p class="lead">${escapeXml(`${split} split. A group is flagged when its selection rate or true-positive rate is more than ${threshold} below the best group's.`)}</p>`];
  for (const f of results) {
    const classes = f.groups[0]?.selection_rate ? Object.keys(f.groups[0].selection_rate) : [];
    const metricNames = [...new Set(f.groups.flatMap((g) => Object.keys(g.metrics)))];
    const flagged = new Set(f.flagged.map((x) => x.group));
    const head = `<tr><th>group</th><th class="num">rows</th>${metricNames.map((m) => `<th class="num">${escapeXml(m)}</th>`).join('')}${classes.map((c) => `<th class="num">${escapeXml(classes.length > 1 ? `selection ${c}` : 'selection rate')}</th><th class="num">${escapeXml(classes.length > 1 ? `TPR ${c}` : 'true-positive rate')}</th>`).join('')}</tr>`;
    const rows = f.groups.map(
      (g) =>
        `<tr${flagged.has(g.group) ? ' class="flag"' : ''}><td>${escapeXml(g.group)}${flagged.has(g.group) ? ' ⚑' : ''}</td><td class="num">${g.rows}</td>${metricNames.map((m) => `<td class="num">${escapeXml(formatMetricValue(g.metrics[m]))}</td>`).join('')}${classes
          .map((c) => `<td class="num">${escapeXml(formatMetricValue(g.selection_rate?.[c]))}</td><td class="num">${escapeXml(formatMetricValue(g.true_positive_rate?.[c] ?? undefined))}</td>`)
          .join('')}</tr>`,
    );
    const gapText = (name: string, gp: FairnessResult['demographic_parity_difference']): string =>
      gp === null ? `${name}: - (fewer than two groups to compare)` : gp.value === 0 ? `${name}: 0 (every group has the same rate)` : `${name}: ${gp.value.toFixed(4)}${classes.length > 1 ? ` (class ${gp.class})` : ''}, ${gp.highest} highest, ${gp.lowest} lowest`;
    parts.push(
      `<h3>${escapeXml(f.column)}</h3><table class="fairness" id="fairness-${escapeXml(f.column.replace(/[^A-Za-z0-9_-]/g, '_'))}">${head}${rows.join('')}</table>`,
      `<p>${escapeXml(gapText('demographic parity difference', f.demographic_parity_difference))}<br>${escapeXml(gapText('equal opportunity difference', f.equal_opportunity_difference))}</p>`,
      f.flagged.length ? `<ul>${f.flagged.map((x) => `<li class="flag">${escapeXml(x.group)}: ${escapeXml(x.reasons.join('; '))}</li>`).join('')}</ul>` : '<p>No group flagged.</p>',
    );
  }
  parts.push('</section>');
  return parts.join('');
}

function profileSection(p: NonNullable<HtmlReportInput['profile']>): string {
  const rows = p.columns.map((c) => {
    // Datetime ranges are epoch milliseconds in the profile; a reader wants dates.
    const at = (v: number | null | undefined): string => (c.type === 'datetime' && typeof v === 'number' ? new Date(v).toISOString().slice(0, 10) : shortNumber(v));
    const range = c.min !== undefined && c.min !== null ? `${at(c.min)} … ${at(c.max)}` : '';
    const fmt = (v: number | null | undefined): string => (c.type === 'datetime' ? '' : shortNumber(v));
    const top = c.top ? c.top.map((t) => `${t.value} (${t.count})`).join(', ') : '';
    return `<tr><td>${escapeXml(c.name)}</td><td>${escapeXml(c.type)}</td><td class="num">${(c.missing_share * 100).toFixed(1)}%</td><td class="num">${c.unique ?? ''}</td><td class="num">${escapeXml(range)}</td><td class="num">${escapeXml(fmt(c.mean))}</td><td>${escapeXml(top)}</td></tr>`;
  });
  return `<section id="profile"><h2>${escapeXml(p.heading ?? 'Training data')}</h2><p class="lead">${p.rows} rows in ${escapeXml(p.what ?? 'the training split')}, ${p.columns.length} input columns.</p><table class="profile"><tr><th>column</th><th>type</th><th class="num">missing</th><th class="num">distinct</th><th class="num">range</th><th class="num">mean</th><th>most frequent</th></tr>${rows.join('')}</table></section>`;
}

/** Up to four decimals without trailing zeros (12.5, not 12.5000); exponent form as the metrics table. */
function shortNumber(v: number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = formatMetricValue(v);
  return s.includes('e') || !s.includes('.') ? s : s.replace(/0+$/, '').replace(/\.$/, '');
}
