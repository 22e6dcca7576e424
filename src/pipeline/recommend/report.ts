// The recommendation report: metrics by split and gates, the ranking metrics at several k, the
// popularity curve of what is recommended against the catalogue's (items ordered by training
// popularity: the cumulative share of interactions, and of recommendations, held by the top x%
// of items; a recommender that only echoes popularity hugs the catalogue curve's top), and
// example lists for a few users beside their recent history, hits marked.

import { lineChart } from '../../evaluate/svg/charts.js';
import { escapeXml } from '../../evaluate/svg/svg.js';
import { renderReportHtml } from '../../evaluate/report-html.js';
import { formatGate, type GateResult } from '../gates.js';

export interface PopularityCurve {
  /** Share of the catalogue (items by training popularity, most popular first). */
  x: number[];
  catalog: number[];
  recommended: number[];
}

export interface ExampleList {
  user: string;
  history: { item: string; label?: string; value: number }[];
  list: { item: string; label?: string; score: number; hit: boolean }[];
}

export interface RecommendReport {
  name: string;
  description: string;
  algorithm: string;
  source: string;
  facts: [string, string][];
  metrics: Record<string, Record<string, number>>;
  gates: readonly GateResult[];
  atK: Record<string, Record<string, number>>;
  split: string;
  curve: PopularityCurve;
  examples: ExampleList[];
  config: string;
}

/** Cumulative shares at 100 points along the popularity order. */
export function popularityCurve(counts: Float64Array, listItems: Int32Array): PopularityCurve {
  const n = counts.length;
  const order = Array.from(counts.keys()).sort((a, b) => counts[b]! - counts[a]! || a - b);
  const rec = new Float64Array(n);
  let total = 0;
  for (const i of listItems) if (i >= 0) (rec[i]!++, total++);
  let all = 0;
  for (const c of counts) all += c;
  const x: number[] = [0];
  const catalog: number[] = [0];
  const recommended: number[] = [0];
  let a = 0;
  let b = 0;
  const step = Math.max(1, Math.floor(n / 100));
  order.forEach((i, r) => {
    a += counts[i]!;
    b += rec[i]!;
    if ((r + 1) % step === 0 || r === n - 1) {
      x.push((r + 1) / n);
      catalog.push(all > 0 ? a / all : 0);
      recommended.push(total > 0 ? b / total : 0);
    }
  });
  return { x, catalog, recommended };
}

const fmt = (v: number | undefined): string => (v === undefined ? '' : Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4));

function metricsTable(metrics: Record<string, Record<string, number>>): string[] {
  const splits = ['train', 'validation', 'test'].filter((s) => metrics[s] && Object.keys(metrics[s]!).length > 0);
  const names = [...new Set(splits.flatMap((s) => Object.keys(metrics[s]!)))];
  return [`| metric | ${splits.join(' | ')} |`, `|---|${splits.map(() => '---:').join('|')}|`, ...names.map((n) => `| ${n} | ${splits.map((s) => fmt(metrics[s]![n])).join(' | ')} |`)];
}

function atKTable(atK: Record<string, Record<string, number>>): { head: string[]; rows: string[][] } {
  const ks = Object.keys(atK).sort((a, b) => Number(a) - Number(b));
  const names = [...new Set(ks.flatMap((k) => Object.keys(atK[k]!)))];
  return { head: ['k', ...names], rows: ks.map((k) => [k, ...names.map((n) => fmt(atK[k]![n]))]) };
}

export function renderRecommendMarkdown(r: RecommendReport): string {
  const lines = [`# ${r.name}`, '', r.description, '', ...r.facts.map(([k, v]) => `- **${k}**: ${v}`), '', '## Metrics', '', ...metricsTable(r.metrics)];
  if (r.gates.length > 0) lines.push('', '### Quality gates', '', ...r.gates.map((g) => `- ${g.passed ? '✓' : '✗'} ${formatGate(g)}`));
  const t = atKTable(r.atK);
  lines.push('', `## Ranking metrics at several k (${r.split})`, '', `| ${t.head.join(' | ')} |`, `|${t.head.map(() => '---:').join('|')}|`, ...t.rows.map((row) => `| ${row.join(' | ')} |`));
  const at = (p: number): string => {
    const j = r.curve.x.findIndex((x) => x >= p);
    return j < 0 ? '' : `${(100 * r.curve.catalog[j]!).toFixed(1)}% of interactions, ${(100 * r.curve.recommended[j]!).toFixed(1)}% of recommendations`;
  };
  lines.push('', '## Popularity of what is recommended', '', 'Items by training popularity, most popular first: what share the top items hold.', '', '| top items | share |', '|---|---|', ...[0.01, 0.05, 0.1, 0.2, 0.5].map((p) => `| ${p * 100}% | ${at(p)} |`));
  lines.push('', '## Example lists', '');
  for (const e of r.examples) {
    lines.push(`### user ${e.user}`, '', `history (latest ${e.history.length}): ${e.history.map((h) => `${h.item}${h.label ? ` (${h.label})` : ''}`).join(', ')}`, '');
    lines.push(...e.list.map((l, n) => `${n + 1}. ${l.item}${l.label ? ` (${l.label})` : ''}${l.hit ? ' ✓ in the held-out items' : ''}`), '');
  }
  return `${lines.join('\n')}\n`;
}

export function renderRecommendHtml(r: RecommendReport): string {
  const t = atKTable(r.atK);
  const atKHtml = `<table class="metrics"><tr>${t.head.map((h) => `<th class="num">${escapeXml(h)}</th>`).join('')}</tr>${t.rows.map((row) => `<tr>${row.map((c) => `<td class="num">${escapeXml(c)}</td>`).join('')}</tr>`).join('')}</table>`;
  const curve = lineChart({
    id: 'popularity-curve',
    kind: 'popularity',
    title: 'Popularity of recommended items',
    xLabel: 'share of items (most popular first)',
    yLabel: 'cumulative share',
    series: [
      { name: 'training interactions', x: r.curve.x, y: r.curve.catalog },
      { name: 'recommendations', x: r.curve.x, y: r.curve.recommended },
    ],
    xDomain: [0, 1],
    yDomain: [0, 1],
    legend: true,
  });
  const examples = r.examples
    .map(
      (e) =>
        `<h3>user ${escapeXml(e.user)}</h3><p>History (latest ${e.history.length}): ${e.history.map((h) => escapeXml(`${h.item}${h.label ? ` (${h.label})` : ''}`)).join(', ')}</p><ol>${e.list
          .map((l) => `<li${l.hit ? ' class="hit"' : ''}>${escapeXml(`${l.item}${l.label ? ` (${l.label})` : ''}`)}${l.hit ? ' ✓' : ''} <span class="num">${escapeXml(l.score.toPrecision(4))}</span></li>`)
          .join('')}</ol>`,
    )
    .join('');
  return renderReportHtml({
    title: r.name,
    description: r.description,
    facts: r.facts,
    metrics: r.metrics,
    gates: r.gates.map((g) => ({ text: formatGate(g), passed: g.passed })),
    split: r.split,
    sections: [
      { id: 'ranking', title: `Ranking metrics at several k (${r.split})`, html: atKHtml },
      { id: 'popularity', title: 'Popularity of what is recommended', html: `<figure>${curve}<figcaption>Cumulative share of training interactions and of recommended slots held by the most popular items.</figcaption></figure>` },
      { id: 'examples', title: 'Example lists', html: `<p>A few ${escapeXml(r.split)} users: their latest training interactions and their top-k list (✓ = an item of their held-out ${escapeXml(r.split)} interactions).</p>${examples}` },
    ],
    config: r.config,
    generatedAt: new Date().toISOString(),
  });
}
