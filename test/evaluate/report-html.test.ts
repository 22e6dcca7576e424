// report.html from the pure renderer: structure, self-containment, escaping, and a render in
// headless Chromium (Debian's `chromium`), on hand-built classification and regression inputs.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/random.js';
import { classificationDiagnostics, regressionDiagnostics } from '../../src/evaluate/diagnostics.js';
import { renderReportHtml, type HtmlReportInput } from '../../src/evaluate/report-html.js';
import { chromiumForTests, renderPage } from './chromium.js';

function binaryInput(): HtmlReportInput {
  const rng = new Rng(7);
  const n = 400;
  const yTrue = new Float64Array(n);
  const proba = new Float64Array(n * 2);
  const yPred = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    yTrue[i] = rng.next() < 0.4 ? 1 : 0;
    const p = Math.min(0.99, Math.max(0.01, 0.5 + (yTrue[i] === 1 ? 0.25 : -0.25) + rng.normal() * 0.2));
    proba[i * 2 + 1] = p;
    proba[i * 2] = 1 - p;
    yPred[i] = p >= 0.5 ? 1 : 0;
  }
  return {
    title: 'churn <script>alert(1)</script>',
    description: 'Who leaves & why',
    facts: [['task', 'classification']],
    metrics: { train: { accuracy: 0.9 }, test: { accuracy: 0.85, roc_auc: 0.91 } },
    gates: [{ text: 'accuracy >= 0.8 on test: 0.85 passed', passed: true }],
    split: 'test',
    diagnostics: classificationDiagnostics(yTrue, yPred, proba, ['stay', 'leave']),
    importance: { kind: 'gain', names: ['tenure', 'plan', 'age'], values: [0.6, 0.3, 0.1] },
    permutation: { metric: 'accuracy', baseline: 0.85, repeats: 3, rows: 400, width: 3, names: ['tenure', 'plan', 'age'], mean: [0.2, 0.05, -0.01], std: [0.02, 0.01, 0.005] },
    profile: { rows: 400, columns: [{ name: 'tenure', type: 'numeric', missing_share: 0.01, unique: 50, min: 0, max: 72, mean: 30.5 }, { name: 'plan', type: 'categorical', missing_share: 0, unique: 3, top: [{ value: 'basic', count: 200 }] }] },
    config: 'name: churn\nmodel: {type: gbdt}\n',
    generatedAt: '2026-11-22T00:00:00.000Z',
  };
}

function regressionInput(): HtmlReportInput {
  const rng = new Rng(3);
  const n = 300;
  const yTrue = new Float64Array(n);
  const yPred = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    yTrue[i] = 10 + rng.normal() * 5;
    yPred[i] = yTrue[i]! + rng.normal();
  }
  return {
    title: 'cars',
    facts: [['task', 'regression']],
    metrics: { test: { rmse: 1.0 } },
    split: 'test',
    diagnostics: regressionDiagnostics(yTrue, yPred),
    generatedAt: '2026-11-22T00:00:00.000Z',
  };
}

describe('renderReportHtml', () => {
  it('when given a classification run, then the page holds ROC, PR, calibration, confusion and both importance charts', () => {
    const html = renderReportHtml(binaryInput());
    for (const id of ['chart-roc', 'chart-pr', 'chart-calibration', 'chart-confusion', 'chart-importance', 'chart-permutation']) {
      expect(html).toMatch(new RegExp(`<svg id="${id}" class="chart chart-`));
    }
    expect(html).not.toContain('chart-residuals');
    expect(html).toContain('<section id="profile">');
    expect(html).toContain('<section id="config">');
  });

  it('when given a regression run, then it shows residuals and predicted-against-actual instead of curves', () => {
    const html = renderReportHtml(regressionInput());
    expect(html).toContain('id="chart-residuals"');
    expect(html).toContain('id="chart-predicted-actual"');
    expect(html).not.toContain('id="chart-roc"');
  });

  it('when text comes from the config or data, then it is escaped and never becomes markup', () => {
    const html = renderReportHtml(binaryInput());
    expect(html).not.toContain('<script>');
    expect(html).toContain('churn &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Who leaves &amp; why');
  });

  it('when rendered, then it references nothing outside itself (no src, no links, no scripts, no url())', () => {
    const html = renderReportHtml(binaryInput());
    expect(html).not.toMatch(/\ssrc=|<link|<script|<img|@import|url\(/i);
    expect(html).not.toMatch(/href="(?!#)/);
    expect(html).toContain(`default-src 'none'`);
  });
});

const chromium = chromiumForTests(import.meta.url);

describe.skipIf(!chromium)('report.html in headless Chromium', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'soma-report-'));

  it('when the classification report is opened, then every chart is in the DOM and nothing else was loaded', async () => {
    const file = path.join(dir, 'classification.html');
    writeFileSync(file, renderReportHtml(binaryInput()));
    const page = await renderPage(chromium!, file);
    for (const id of ['chart-roc', 'chart-pr', 'chart-calibration', 'chart-confusion', 'chart-importance', 'chart-permutation']) {
      expect(page.dom).toMatch(new RegExp(`<svg id="${id}"[^>]*class="chart chart-`));
    }
    // The ROC chart drew a curve path, and the heat map its four cells.
    expect(page.dom).toMatch(/<svg id="chart-roc"[\s\S]*?<path class="series" d="M/);
    expect((/<svg id="chart-confusion"[\s\S]*?<\/svg>/.exec(page.dom)?.[0].match(/<g class="cell">/g) ?? []).length).toBe(4);
    expect(page.loads).toEqual([]);
  });

  it('when a page refers to a missing file, then the load check reports it (the check can fail)', async () => {
    const file = path.join(dir, 'broken.html');
    writeFileSync(file, renderReportHtml(regressionInput()).replace(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`, '').replace('<main>', '<main><img src="missing-chart.png" alt="">'));
    const page = await renderPage(chromium!, file);
    expect(page.dom).toContain('id="chart-residuals"');
    expect(page.loads.some((l) => l.endsWith('missing-chart.png'))).toBe(true);
  });
});
