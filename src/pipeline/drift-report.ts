// `soma drift --report FILE`: a self-contained HTML page (the evaluation report's frame and SVG
// charts): the verdict, a table of every column sorted by drift, and per column the reference and
// current distributions overlaid (densities over merged bins for numeric columns, shares per
// category for categorical ones), drifted columns first.

import path from 'node:path';
import { groupedBarChart, lineChart } from '../evaluate/svg/charts.js';
import { escapeXml } from '../evaluate/svg/svg.js';
import { renderReportHtml } from '../evaluate/report-html.js';
import type { Summary } from '../monitor/column-drift.js';
import { coarseBins } from '../monitor/stats/psi.js';
import { OTHER_CATEGORY } from '../monitor/stream.js';
import { writeFileAtomic } from '../registry/atomic.js';
import type { ColumnDriftReport, DriftDetail, DriftResult } from './drift.js';

/** Display bins per numeric chart (merged from the test's bins by reference mass). */
const CHART_BINS = 40;
/** Categories drawn per chart (the most frequent in either sample). */
const CHART_CATEGORIES = 20;
/** Columns drawn; the table lists all of them. */
const MAX_CHARTS = 60;

export async function writeDriftReport(file: string, result: DriftResult, detail: DriftDetail, now?: string): Promise<void> {
  await writeFileAtomic(file, renderDriftReport(result, detail, now));
}

export function renderDriftReport(r: DriftResult, detail: DriftDetail, now?: string): string {
  const all = [...r.columns, ...(r.prediction ? [r.prediction] : []), ...r.outputs.filter((o) => o.role !== 'prediction'), ...(r.target ? [r.target] : [])];
  const verdict = r.drift ? `Drift: ${r.reasons.join('; ')}` : `No drift: ${r.drifted_columns.length} of ${r.tested_columns} columns drifted (data set drift at ${Math.round(r.drift_share * 100)}%)`;
  const table = `<p class="lead">${escapeXml(verdict)}</p><table class="metrics"><tr><th>column</th><th>role</th><th>type</th><th>test</th><th class="num">statistic</th><th class="num">p-value</th><th class="num">threshold</th><th>drift</th><th class="num">PSI</th><th class="num">missing ref / cur</th></tr>${all
    .map(
      (c) =>
        `<tr${c.drift ? ' class="failed"' : ''}><td>${escapeXml(c.column)}</td><td>${c.role}</td><td>${c.type}</td><td>${escapeXml(c.method ?? '—')}</td><td class="num">${num(c.statistic)}</td><td class="num">${num(c.p_value ?? undefined)}</td><td class="num">${num(c.threshold)}</td><td>${c.tested ? (c.drift ? '✗ drift' : '✓') : escapeXml(c.note ?? 'not tested')}</td><td class="num">${num(c.psi)}</td><td class="num">${c.missing_reference} / ${c.missing_current}</td></tr>`,
    )
    .join('')}</table>`;
  const charts: string[] = [];
  for (const c of all.filter((c) => c.tested).slice(0, MAX_CHARTS)) {
    const s = detail.summaries.get(`${c.role}:${c.column}`);
    if (!s) continue;
    charts.push(`<figure>${chartOf(c, s.reference, s.current)}<figcaption>${escapeXml(`${c.column}: ${c.method} ${num(c.p_value ?? c.statistic)}${c.drift ? ' (drift)' : ''}`)}</figcaption></figure>`);
  }
  return renderReportHtml({
    title: r.id ? `Drift of ${r.id} on ${path.basename(r.data)}` : `Drift of ${path.basename(r.data)} against ${path.basename(r.reference)}`,
    facts: [
      ['data', `${r.rows} rows of ${r.data}`],
      ['reference', r.reference === 'profile' ? `the stored training profile of ${r.id} (${r.reference_rows} rows)` : `${r.reference_rows} rows of ${r.reference}`],
      ['verdict', verdict],
      ...(r.outputs_reference ? [['outputs compared with', r.outputs_reference] as const] : []),
    ],
    metrics: r.metrics ? { [path.basename(r.data)]: r.metrics } : {},
    split: path.basename(r.data),
    sections: [
      { id: 'drift-table', title: 'Columns, most drifted first', html: table },
      { id: 'drift-charts', title: 'Reference and current distributions', html: `<div class="charts">${charts.join('')}</div>` },
    ],
    generatedAt: now ?? new Date().toISOString(),
    footer: 'Tests and thresholds: README, section Drift.',
  });
}

function num(v: number | null | undefined): string {
  if (v === undefined || v === null) return '—';
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e-3 || v === 0 ? String(Math.round(v * 1e4) / 1e4) : v.toExponential(2);
}

function chartOf(c: ColumnDriftReport, ref: Summary, cur: Summary): string {
  const id = `drift-${c.role}-${c.column.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  if (ref.kind === 'categorical' && cur.kind === 'categorical') {
    const keys = [...new Set([...ref.counts.keys(), ...cur.counts.keys()])];
    const share = (s: typeof ref, k: string): number => (s.n > 0 ? (s.counts.get(k) ?? 0) / s.n : 0);
    keys.sort((a, b) => Math.max(share(ref, b), share(cur, b)) - Math.max(share(ref, a), share(cur, a)));
    const shown = keys.slice(0, CHART_CATEGORIES);
    return groupedBarChart({
      id,
      kind: 'drift-categorical',
      title: c.column,
      labels: shown.map((k) => (k === OTHER_CATEGORY ? '(other)' : k)),
      series: [
        { name: 'reference', values: shown.map((k) => share(ref, k)) },
        { name: 'current', values: shown.map((k) => share(cur, k)) },
      ],
      yLabel: 'share of rows',
    });
  }
  if (ref.kind !== 'numeric' || cur.kind !== 'numeric') return '';
  // Merge the test's bins into display bins of about equal reference mass, bounded by the ranges.
  const map = coarseBins(ref.counts, CHART_BINS);
  const groups = map.length > 0 ? map[map.length - 1]! + 1 : 0;
  const lo = Math.min(ref.min, cur.min);
  const hi = Math.max(ref.max, cur.max);
  const bounds: number[] = [lo];
  const rc = new Float64Array(groups);
  const cc = new Float64Array(groups);
  for (let k = 0; k < map.length; k++) {
    rc[map[k]!]! += ref.counts[k]!;
    cc[map[k]!]! += cur.counts[k]!;
    const last = k === map.length - 1 || map[k + 1] !== map[k];
    if (last) bounds.push(k < ref.edges.length ? ref.edges[k]! : hi);
  }
  const step = (counts: Float64Array, n: number): { x: number[]; y: number[] } => {
    const x: number[] = [];
    const y: number[] = [];
    for (let g = 0; g < groups; g++) {
      const a = Math.max(lo, bounds[g]!);
      const b = Math.min(hi, bounds[g + 1]!);
      const d = n > 0 && b > a ? counts[g]! / n / (b - a) : 0;
      x.push(a, b);
      y.push(d, d);
    }
    return { x, y };
  };
  return lineChart({
    id,
    kind: 'drift-numeric',
    title: c.column,
    xLabel: c.column,
    yLabel: 'density',
    series: [
      { name: 'reference', ...step(rc, ref.n) },
      { name: 'current', ...step(cc, cur.n) },
    ],
    legend: true,
  });
}
