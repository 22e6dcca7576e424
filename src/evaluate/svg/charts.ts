// The report's chart types as inline SVG strings: line charts (ROC, precision-recall,
// calibration), scatter plots (residuals), a heat map (confusion matrix) and horizontal bars
// (feature importance). Every chart is an <svg> with a stable id and `chart chart-<kind>` classes,
// which the rendering test looks for, plus a <title> for screen readers.

import { colour, el, escapeXml, linearScale, niceDomain, niceTicks, num, tickLabel, type Scale } from './svg.js';

const W = 440;
const H = 330;
const M = { left: 58, right: 16, top: 30, bottom: 46 };
/** Above this many points a line is thinned; the eye cannot tell, the file size can. */
const MAX_LINE_POINTS = 400;

export interface Series {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Draw a dot at every point (calibration bins), not only the line. */
  markers?: boolean;
}

export interface LineChartOptions {
  id: string;
  kind: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** A dashed reference line from (x0, y0) to (x1, y1): chance for ROC, perfect calibration. */
  reference?: { x0: number; y0: number; x1: number; y1: number; label: string };
  /** Show the legend for a single series too (when its name carries a number, like the AUC). */
  legend?: boolean;
}

export interface ScatterChartOptions {
  id: string;
  kind: string;
  title: string;
  xLabel: string;
  yLabel: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** A horizontal reference line (0 for residuals). */
  hline?: number;
  /** The diagonal y = x (predicted against actual). */
  diagonal?: boolean;
}

export interface HeatmapOptions {
  id: string;
  kind: string;
  title: string;
  rowLabels: readonly string[];
  colLabels: readonly string[];
  values: readonly (readonly number[])[];
  xLabel: string;
  yLabel: string;
}

export interface BarChartOptions {
  id: string;
  kind: string;
  title: string;
  labels: readonly string[];
  values: readonly number[];
  /** Half-widths of error bars (one standard deviation), same order as values. */
  errors?: readonly number[];
  xLabel: string;
}

function svgRoot(id: string, kind: string, title: string, width: number, height: number, body: string[]): string {
  const titleId = `${id}-title`;
  return el(
    'svg',
    {
      id,
      class: `chart chart-${kind}`,
      xmlns: 'http://www.w3.org/2000/svg',
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: 'img',
      'aria-labelledby': titleId,
    },
    [el('title', { id: titleId }, escapeXml(title)), el('text', { class: 'chart-title', x: width / 2, y: 18, 'text-anchor': 'middle' }, escapeXml(title)), ...body],
  );
}

/** Grid, ticks and axis labels for a plot area mapped by `x` and `y`. */
function axes(x: Scale, y: Scale, xLabel: string, yLabel: string): string {
  const out: string[] = [];
  const [x0, x1] = x.range;
  const [y0, y1] = y.range; // y0 is the bottom (larger pixel value)
  for (const t of niceTicks(x.domain[0], x.domain[1], 5)) {
    const px = x(t);
    out.push(el('line', { class: 'grid', x1: px, x2: px, y1: y0, y2: y1 }));
    out.push(el('text', { class: 'tick', x: px, y: y0 + 15, 'text-anchor': 'middle' }, escapeXml(tickLabel(t))));
  }
  for (const t of niceTicks(y.domain[0], y.domain[1], 5)) {
    const py = y(t);
    out.push(el('line', { class: 'grid', x1: x0, x2: x1, y1: py, y2: py }));
    out.push(el('text', { class: 'tick', x: x0 - 6, y: py + 4, 'text-anchor': 'end' }, escapeXml(tickLabel(t))));
  }
  out.push(el('rect', { class: 'frame', x: x0, y: y1, width: x1 - x0, height: y0 - y1 }));
  out.push(el('text', { class: 'axis-label', x: (x0 + x1) / 2, y: y0 + 34, 'text-anchor': 'middle' }, escapeXml(xLabel)));
  out.push(el('text', { class: 'axis-label', x: 14, y: (y0 + y1) / 2, 'text-anchor': 'middle', transform: `rotate(-90 14 ${num((y0 + y1) / 2)})` }, escapeXml(yLabel)));
  return out.join('');
}

function extent(values: ArrayLike<number>[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      if (!Number.isFinite(x)) continue;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/** Indices of at most `max` points spread evenly, always keeping the first and the last. */
export function thinIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let k = 0; k < max; k++) out.push(Math.round((k * (n - 1)) / (max - 1)));
  return out;
}

/** Legend entries beyond this are summarised, so twenty classes do not bury the curves. */
const MAX_LEGEND = 8;

function legend(names: readonly string[], x1: number, y0: number, always = false): string {
  if (names.length < 2 && !(always && names.length === 1)) return '';
  const shown = names.slice(0, MAX_LEGEND).map((name) => (name.length > 26 ? `${name.slice(0, 25)}…` : name));
  if (names.length > MAX_LEGEND) shown.push(`… ${names.length - MAX_LEGEND} more`);
  // About 6 px per character at 11 px; a white box keeps the labels readable over the curves.
  const width = 30 + 6 * Math.max(...shown.map((s) => s.length));
  const height = 8 + shown.length * 15;
  const left = x1 - width - 4;
  const top = y0 - height - 4;
  const rows = shown.map((name, i) => {
    const y = top + 15 + i * 15;
    return el('g', { class: 'legend-item' }, [
      i < MAX_LEGEND ? el('line', { x1: left + 6, x2: left + 22, y1: y - 4, y2: y - 4, stroke: colour(i), 'stroke-width': 2.5 }) : '',
      el('text', { class: 'legend', x: left + 27, y }, escapeXml(name)),
    ]);
  });
  return el('g', { class: 'legend' }, [el('rect', { x: left, y: top, width, height, fill: '#fff', 'fill-opacity': 0.85, stroke: '#d0d7de' }), ...rows]);
}

export function lineChart(o: LineChartOptions): string {
  const xDomain = o.xDomain ?? niceDomain(...extent(o.series.map((s) => s.x)));
  const yDomain = o.yDomain ?? niceDomain(...extent(o.series.map((s) => s.y)));
  const x = linearScale(xDomain, [M.left, W - M.right]);
  const y = linearScale(yDomain, [H - M.bottom, M.top]);
  const body: string[] = [axes(x, y, o.xLabel, o.yLabel)];
  if (o.reference) {
    const r = o.reference;
    body.push(el('line', { class: 'reference', x1: x(r.x0), y1: y(r.y0), x2: x(r.x1), y2: y(r.y1) }, el('title', {}, escapeXml(r.label))));
  }
  o.series.forEach((s, i) => {
    const idx = thinIndices(s.x.length, MAX_LINE_POINTS).filter((k) => Number.isFinite(s.x[k]!) && Number.isFinite(s.y[k]!));
    if (idx.length === 0) return;
    const d = idx.map((k, j) => `${j === 0 ? 'M' : 'L'}${num(x(s.x[k]!))} ${num(y(s.y[k]!))}`).join('');
    const parts = [el('path', { class: 'series', d, stroke: colour(i) }, el('title', {}, escapeXml(s.name)))];
    if (s.markers) for (const k of idx) parts.push(el('circle', { class: 'marker', cx: x(s.x[k]!), cy: y(s.y[k]!), r: 3, fill: colour(i) }));
    body.push(el('g', { class: 'series-group', 'data-series': s.name }, parts));
  });
  body.push(legend(o.series.map((s) => s.name), W - M.right, H - M.bottom, o.legend ?? false));
  return svgRoot(o.id, o.kind, o.title, W, H, body);
}

export function scatterChart(o: ScatterChartOptions): string {
  const [xl, xh] = extent([o.x]);
  const [yl, yh] = extent([o.y]);
  const xDomain = niceDomain(o.diagonal ? Math.min(xl, yl) : xl, o.diagonal ? Math.max(xh, yh) : xh);
  const yDomain = o.diagonal ? xDomain : niceDomain(Math.min(yl, o.hline ?? yl), Math.max(yh, o.hline ?? yh));
  const x = linearScale(xDomain, [M.left, W - M.right]);
  const y = linearScale(yDomain, [H - M.bottom, M.top]);
  const body: string[] = [axes(x, y, o.xLabel, o.yLabel)];
  if (o.hline !== undefined) body.push(el('line', { class: 'reference', x1: x.range[0], x2: x.range[1], y1: y(o.hline), y2: y(o.hline) }));
  if (o.diagonal) body.push(el('line', { class: 'reference', x1: x(xDomain[0]), y1: y(xDomain[0]), x2: x(xDomain[1]), y2: y(xDomain[1]) }));
  const dots: string[] = [];
  for (let i = 0; i < o.x.length; i++) {
    if (!Number.isFinite(o.x[i]!) || !Number.isFinite(o.y[i]!)) continue;
    dots.push(el('circle', { cx: x(o.x[i]!), cy: y(o.y[i]!), r: 2.2 }));
  }
  body.push(el('g', { class: 'points', fill: colour(0) }, dots));
  return svgRoot(o.id, o.kind, o.title, W, H, body);
}

/** Cells shaded by their share of the row (recall per true class), labelled with the count. */
export function heatmap(o: HeatmapOptions): string {
  const k = o.rowLabels.length;
  const left = 96;
  const top = 44;
  const cell = Math.max(22, Math.min(64, Math.floor(300 / Math.max(1, o.colLabels.length))));
  const width = left + cell * o.colLabels.length + 20;
  const height = top + cell * k + 56;
  const body: string[] = [];
  for (let r = 0; r < k; r++) {
    const row = o.values[r] ?? [];
    const total = row.reduce((a, b) => a + b, 0);
    body.push(el('text', { class: 'tick', x: left - 6, y: top + r * cell + cell / 2 + 4, 'text-anchor': 'end' }, escapeXml(short(o.rowLabels[r]!))));
    for (let c = 0; c < o.colLabels.length; c++) {
      const v = row[c] ?? 0;
      const share = total > 0 ? v / total : 0;
      body.push(
        el('g', { class: 'cell' }, [
          el('rect', { x: left + c * cell, y: top + r * cell, width: cell - 1, height: cell - 1, fill: heat(share) }, el('title', {}, escapeXml(`true ${o.rowLabels[r]}, predicted ${o.colLabels[c]}: ${v} (${(share * 100).toFixed(1)}% of the row)`))),
          el('text', { class: 'cell-label', x: left + c * cell + cell / 2, y: top + r * cell + cell / 2 + 4, 'text-anchor': 'middle', fill: share > 0.55 ? '#fff' : '#111' }, String(v)),
        ]),
      );
    }
  }
  for (let c = 0; c < o.colLabels.length; c++) {
    body.push(el('text', { class: 'tick', x: left + c * cell + cell / 2, y: top + k * cell + 14, 'text-anchor': 'middle' }, escapeXml(short(o.colLabels[c]!))));
  }
  body.push(el('text', { class: 'axis-label', x: left + (cell * o.colLabels.length) / 2, y: top + k * cell + 36, 'text-anchor': 'middle' }, escapeXml(o.xLabel)));
  body.push(el('text', { class: 'axis-label', x: 12, y: top + (k * cell) / 2, 'text-anchor': 'middle', transform: `rotate(-90 12 ${num(top + (k * cell) / 2)})` }, escapeXml(o.yLabel)));
  return svgRoot(o.id, o.kind, o.title, Math.max(width, 240), height, body);
}

export function barChart(o: BarChartOptions): string {
  const n = o.labels.length;
  const left = 150;
  const right = 60;
  const bar = 18;
  const top = 34;
  const width = W;
  const height = top + n * bar + 48;
  let lo = 0;
  let hi = 0;
  o.values.forEach((v, i) => {
    const e = o.errors?.[i] ?? 0;
    lo = Math.min(lo, v - e);
    hi = Math.max(hi, v + e);
  });
  if (lo === hi) hi = 1;
  const x = linearScale(niceDomain(lo, hi, 4), [left, width - right]);
  const body: string[] = [];
  for (const t of niceTicks(x.domain[0], x.domain[1], 4)) {
    body.push(el('line', { class: 'grid', x1: x(t), x2: x(t), y1: top - 4, y2: top + n * bar }));
    body.push(el('text', { class: 'tick', x: x(t), y: top + n * bar + 14, 'text-anchor': 'middle' }, escapeXml(tickLabel(t))));
  }
  o.labels.forEach((label, i) => {
    const v = o.values[i]!;
    const y = top + i * bar;
    const x0 = x(Math.min(0, v));
    const parts = [
      el('text', { class: 'tick', x: left - 6, y: y + bar / 2 + 4, 'text-anchor': 'end' }, escapeXml(label.length > 24 ? `${label.slice(0, 23)}…` : label)),
      el('rect', { class: 'bar', x: x0, y: y + 3, width: Math.max(0.5, Math.abs(x(v) - x(0))), height: bar - 6, fill: v < 0 ? colour(5) : colour(0) }, el('title', {}, escapeXml(`${label}: ${v.toPrecision(4)}`))),
    ];
    const e = o.errors?.[i];
    if (e !== undefined && e > 0) {
      parts.push(el('line', { class: 'error-bar', x1: x(v - e), x2: x(v + e), y1: y + bar / 2, y2: y + bar / 2 }));
    }
    parts.push(el('text', { class: 'value', x: x(Math.max(0, v) + (e ?? 0)) + 4, y: y + bar / 2 + 4 }, escapeXml(barLabel(v, hi - lo))));
    body.push(el('g', { class: 'bar-row' }, parts));
  });
  body.push(el('line', { class: 'axis', x1: x(0), x2: x(0), y1: top - 4, y2: top + n * bar }));
  body.push(el('text', { class: 'axis-label', x: (left + width - right) / 2, y: top + n * bar + 34, 'text-anchor': 'middle' }, escapeXml(o.xLabel)));
  return svgRoot(o.id, o.kind, o.title, width, height, body);
}

/** White to the palette's blue, by share in [0, 1]. */
function heat(share: number): string {
  const s = Math.max(0, Math.min(1, share));
  const mix = (a: number, b: number): number => Math.round(a + (b - a) * s);
  return `rgb(${mix(247, 8)},${mix(251, 69)},${mix(255, 148)})`;
}

function short(label: string): string {
  return label.length > 14 ? `${label.slice(0, 13)}…` : label;
}

/** A bar's value, with float noise (-5.6e-17 from averaging shuffles) shown as the 0 it is. */
function barLabel(v: number, span: number): string {
  if (v === 0 || Math.abs(v) < span * 1e-9) return '0';
  return v.toPrecision(3);
}

export interface GroupedBarChartOptions {
  id: string;
  kind: string;
  title: string;
  /** One group per label (a category), one bar per series in each group. */
  labels: readonly string[];
  series: readonly { name: string; values: readonly number[] }[];
  yLabel: string;
}

/** Vertical bars side by side per label (reference and current shares of each category). */
export function groupedBarChart(o: GroupedBarChartOptions): string {
  const n = o.labels.length;
  const x0 = M.left;
  const x1 = W - M.right;
  let hi = 0;
  for (const s of o.series) for (const v of s.values) if (Number.isFinite(v)) hi = Math.max(hi, v);
  const y = linearScale(niceDomain(0, hi > 0 ? hi : 1), [H - M.bottom - 14, M.top]);
  const body: string[] = [];
  for (const t of niceTicks(y.domain[0], y.domain[1], 5)) {
    body.push(el('line', { class: 'grid', x1: x0, x2: x1, y1: y(t), y2: y(t) }));
    body.push(el('text', { class: 'tick', x: x0 - 6, y: y(t) + 4, 'text-anchor': 'end' }, escapeXml(tickLabel(t))));
  }
  const group = (x1 - x0) / Math.max(1, n);
  const bar = (group * 0.8) / Math.max(1, o.series.length);
  o.labels.forEach((label, i) => {
    const gx = x0 + i * group + group * 0.1;
    o.series.forEach((s, j) => {
      const v = s.values[i] ?? 0;
      body.push(el('rect', { class: 'bar', x: gx + j * bar, y: y(v), width: Math.max(0.5, bar - 1), height: Math.max(0, y(0) - y(v)), fill: colour(j) }, el('title', {}, escapeXml(`${label} · ${s.name}: ${v.toPrecision(3)}`))));
    });
    if (n <= 24) body.push(el('text', { class: 'tick', x: gx + group * 0.4, y: H - M.bottom + 2, 'text-anchor': 'middle' }, escapeXml(short(label))));
  });
  body.push(el('line', { class: 'axis', x1: x0, x2: x1, y1: y(0), y2: y(0) }));
  body.push(el('text', { class: 'axis-label', x: 14, y: (H - M.bottom + M.top) / 2, 'text-anchor': 'middle', transform: `rotate(-90 14 ${num((H - M.bottom + M.top) / 2)})` }, escapeXml(o.yLabel)));
  body.push(legend(o.series.map((s) => s.name), x1, M.top + 60, true));
  return svgRoot(o.id, o.kind, o.title, W, H, body);
}
