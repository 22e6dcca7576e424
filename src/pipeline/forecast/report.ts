// The forecasting report: backtest metrics and gates, every candidate family's backtest, MAE and
// interval half-widths by horizon step, the best and worst series by MASE, and charts of actual
// against forecast (with the widest interval) in the last backtest window for a sample of
// series and the best and worst ones.

import { lineChart } from '../../evaluate/svg/charts.js';
import { escapeXml } from '../../evaluate/svg/svg.js';
import { renderReportHtml } from '../../evaluate/report-html.js';
import type { BacktestPair } from '../../evaluate/metrics/forecasting.js';
import { formatGate, type GateResult } from '../gates.js';
import type { BacktestOutcome, SeriesScore } from './backtest.js';
import type { SeriesTable } from './data.js';

export interface ForecastChart {
  title: string;
  /** Period offsets from the window's origin (negative: history). */
  x: number[];
  actual: number[];
  forecastX: number[];
  forecast: number[];
  lower: number[];
  upper: number[];
  level: number | undefined;
}

export interface ForecastReport {
  name: string;
  description: string;
  facts: [string, string][];
  metrics: Record<string, Record<string, number>>;
  gates: readonly GateResult[];
  candidates: { family: string; metrics: Record<string, number>; seconds: number }[];
  series: SeriesScore[];
  stepMae: (number | null)[];
  levels: number[];
  quantiles: number[][];
  charts: ForecastChart[];
  config: string;
  counts: Record<string, number>;
}

const fmt = (v: number | null | undefined): string => (v === undefined || v === null || !Number.isFinite(v) ? '' : Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4));
const CHART_HISTORY = 3;

/** Charts for the last window: the first two series, then the two best and two worst by MASE. */
export function sampleCharts(t: SeriesTable, bt: BacktestOutcome, scores: SeriesScore[]): ForecastChart[] {
  const last = bt.origins.length - 1;
  const pairs = bt.pairs.filter((p) => p.window === last && p.y.length > 0);
  const byLabel = new Map(pairs.map((p) => [t.labels[p.series]!, p]));
  const ranked = scores.filter((s) => s.mase !== null && byLabel.has(s.series)).sort((a, b) => a.mase! - b.mase!);
  const picks: [string, string][] = [];
  const add = (label: string | undefined, why: string): void => {
    if (label !== undefined && !picks.some(([l]) => l === label)) picks.push([label, why]);
  };
  for (const p of pairs.slice(0, 2)) add(t.labels[p.series], 'sample');
  for (const s of ranked.slice(0, 2)) add(s.series, 'best');
  for (const s of ranked.slice(-2).reverse()) add(s.series, 'worst');
  const origin = bt.origins[last]!;
  const h = Math.max(...pairs.map((p) => (p.step.length > 0 ? p.step[p.step.length - 1]! + 1 : 0)), 1);
  return picks.map(([label, why]) => chartOf(t, byLabel.get(label)!, origin, h, label, why));
}

function chartOf(t: SeriesTable, p: BacktestPair, origin: number, h: number, label: string, why: string): ForecastChart {
  const pan = t.panel;
  const a = pan.offset[p.series]!;
  const len = pan.offset[p.series + 1]! - a;
  const L = origin - pan.start[p.series]!;
  const x: number[] = [];
  const actual: number[] = [];
  for (let k = Math.max(0, L - CHART_HISTORY * h); k < Math.min(len, L + h); k++) {
    if (!pan.observed[a + k]) continue;
    x.push(k - L);
    actual.push(pan.y[a + k]!);
  }
  const widest = p.lower ? p.lower.length - 1 : -1;
  return {
    title: `${label === '' ? 'the series' : label} (${why})`,
    x,
    actual,
    forecastX: Array.from(p.step),
    forecast: Array.from(p.f),
    lower: widest >= 0 ? Array.from(p.lower![widest]!) : [],
    upper: widest >= 0 ? Array.from(p.upper![widest]!) : [],
    level: undefined,
  };
}

function bestWorst(series: SeriesScore[]): { best: SeriesScore[]; worst: SeriesScore[] } {
  const ranked = series.filter((s) => s.mase !== null).sort((a, b) => a.mase! - b.mase!);
  return { best: ranked.slice(0, 5), worst: ranked.slice(-5).reverse() };
}

const seriesRow = (s: SeriesScore): string[] => [s.series === '' ? '(the series)' : s.series, String(s.points), fmt(s.mae), fmt(s.wape), fmt(s.mase)];

export function renderForecastMarkdown(r: ForecastReport): string {
  const m = r.metrics['backtest'] ?? {};
  const lines = [`# ${r.name}`, '', r.description, '', ...r.facts.map(([k, v]) => `- **${k}**: ${v}`), '', '## Backtest metrics', '', '| metric | backtest |', '|---|---:|', ...Object.entries(m).map(([k, v]) => `| ${k} | ${fmt(v)} |`)];
  lines.push('', `MASE over ${r.counts['mase_pairs']} (series, window) pairs; ${r.counts['mase_skipped']} left out for a zero scale (a constant history).`);
  if (r.gates.length > 0) lines.push('', '### Quality gates', '', ...r.gates.map((g) => `- ${g.passed ? '✓' : '✗'} ${formatGate(g)}`));
  if (r.candidates.length > 1) {
    const names = [...new Set(r.candidates.flatMap((c) => Object.keys(c.metrics)))];
    lines.push('', '## Candidates', '', `| family | ${names.join(' | ')} | seconds |`, `|---|${names.map(() => '---:').join('|')}|---:|`, ...r.candidates.map((c) => `| ${c.family} | ${names.map((n) => fmt(c.metrics[n])).join(' | ')} | ${c.seconds.toFixed(2)} |`));
  }
  lines.push('', '## By horizon step', '', `| step | MAE | ${r.levels.map((l) => `${l}% half-width (x scale)`).join(' | ')} |`, `|---:|---:|${r.levels.map(() => '---:').join('|')}|`, ...r.stepMae.map((v, k) => `| ${k + 1} | ${fmt(v)} | ${r.levels.map((_, l) => fmt(r.quantiles[l]?.[k])).join(' | ')} |`));
  const bw = bestWorst(r.series);
  for (const [title, list] of [['Best series (lowest MASE)', bw.best], ['Worst series (highest MASE)', bw.worst]] as const) {
    lines.push('', `## ${title}`, '', '| series | points | MAE | WAPE | MASE |', '|---|---:|---:|---:|---:|', ...list.map((s) => `| ${seriesRow(s).join(' | ')} |`));
  }
  return `${lines.join('\n')}\n`;
}

export function renderForecastHtml(r: ForecastReport): string {
  const table = (head: string[], rows: string[][]): string =>
    `<table class="metrics"><tr>${head.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr>${rows.map((row) => `<tr>${row.map((c) => `<td class="num">${escapeXml(c)}</td>`).join('')}</tr>`).join('')}</table>`;
  const bw = bestWorst(r.series);
  const charts = r.charts
    .map((c, i) =>
      `<figure>${lineChart({
        id: `forecast-${i}`,
        kind: 'forecast',
        title: c.title,
        xLabel: 'periods from the last backtest origin',
        yLabel: 'value',
        series: [
          { name: 'actual', x: c.x, y: c.actual },
          { name: 'forecast', x: c.forecastX, y: c.forecast, markers: true },
          ...(c.lower.length > 0 ? [{ name: `${r.levels[r.levels.length - 1]}% lower`, x: c.forecastX, y: c.lower }, { name: `${r.levels[r.levels.length - 1]}% upper`, x: c.forecastX, y: c.upper }] : []),
        ],
        legend: true,
      })}</figure>`,
    )
    .join('');
  const sections = [
    ...(r.candidates.length > 1
      ? [{ id: 'candidates', title: 'Candidates', html: table(['family', ...Object.keys(r.candidates[0]!.metrics), 'seconds'], r.candidates.map((c) => [c.family, ...Object.keys(r.candidates[0]!.metrics).map((n) => fmt(c.metrics[n])), c.seconds.toFixed(2)])) }]
      : []),
    { id: 'steps', title: 'By horizon step', html: table(['step', 'MAE', ...r.levels.map((l) => `${l}% half-width (x scale)`)], r.stepMae.map((v, k) => [String(k + 1), fmt(v), ...r.levels.map((_, l) => fmt(r.quantiles[l]?.[k]))])) },
    { id: 'charts', title: 'Actual against forecast (last backtest window)', html: `<p>History before the origin, the actual values and the forecast with its widest interval, for a sample of series and the best and worst by MASE.</p>${charts}` },
    { id: 'best', title: 'Best series (lowest MASE)', html: table(['series', 'points', 'MAE', 'WAPE', 'MASE'], bw.best.map(seriesRow)) },
    { id: 'worst', title: 'Worst series (highest MASE)', html: table(['series', 'points', 'MAE', 'WAPE', 'MASE'], bw.worst.map(seriesRow)) },
  ];
  return renderReportHtml({
    title: r.name,
    description: r.description,
    facts: r.facts,
    metrics: r.metrics,
    gates: r.gates.map((g) => ({ text: formatGate(g), passed: g.passed })),
    split: 'backtest',
    sections,
    config: r.config,
    generatedAt: new Date().toISOString(),
  });
}
