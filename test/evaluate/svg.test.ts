// The SVG helpers, the calibration curve and the chart data (diagnostics) behind report.html.

import { describe, expect, it } from 'vitest';
import { calibrationCurve } from '../../src/evaluate/calibration.js';
import { classificationDiagnostics } from '../../src/evaluate/diagnostics.js';
import { barChart, heatmap, lineChart, thinIndices } from '../../src/evaluate/svg/charts.js';
import { el, escapeXml, linearScale, niceDomain, niceTicks, tickLabel } from '../../src/evaluate/svg/svg.js';

describe('svg helpers', () => {
  it('when ticks are asked for, then they are round numbers covering the range', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3, 97, 5)).toEqual([20, 40, 60, 80]);
    expect(niceTicks(-0.3, 0.3, 4)).toEqual([-0.2, 0, 0.2]);
    expect(niceDomain(3, 97)).toEqual([0, 100]);
    expect(niceDomain(5, 5)).toEqual([4.5, 5.5]);
    expect(tickLabel(0.1 + 0.2)).toBe('0.3');
  });

  it('when a scale maps data to pixels, then the ends meet and a flat domain maps to the middle', () => {
    const y = linearScale([0, 10], [300, 20]);
    expect([y(0), y(10), y(5)]).toEqual([300, 20, 160]);
    expect(linearScale([2, 2], [0, 100])(2)).toBe(50);
  });

  it('when text or attributes hold markup characters, then they are escaped', () => {
    expect(escapeXml(`a<b & "c" 'd'`)).toBe('a&lt;b &amp; &quot;c&quot; &#39;d&#39;');
    expect(el('text', { x: 1.2345, label: '<x>' }, 'hi')).toBe('<text x="1.23" label="&lt;x&gt;">hi</text>');
  });

  it('when a curve has thousands of points, then it is thinned, keeping the first and last', () => {
    const idx = thinIndices(10_000, 400);
    expect(idx.length).toBe(400);
    expect(idx[0]).toBe(0);
    expect(idx[399]).toBe(9999);
    const x = Float64Array.from({ length: 10_000 }, (_, i) => i / 9999);
    const svg = lineChart({ id: 'c', kind: 'roc', title: 'T', xLabel: 'x', yLabel: 'y', series: [{ name: 's', x, y: x }] });
    expect((/ d="(M[^"]*)"/.exec(svg)![1]!.match(/[ML]/g) ?? []).length).toBe(400);
  });

  it('when charts are drawn, then each is an svg with its id, classes and an accessible title', () => {
    const h = heatmap({ id: 'cm', kind: 'confusion', title: 'Confusion', rowLabels: ['a', 'b'], colLabels: ['a', 'b'], values: [[3, 1], [0, 4]], xLabel: 'p', yLabel: 't' });
    expect(h).toMatch(/^<svg id="cm" class="chart chart-confusion"[^>]*role="img" aria-labelledby="cm-title"><title id="cm-title">Confusion<\/title>/);
    expect(h.match(/<g class="cell">/g)!.length).toBe(4);
    const b = barChart({ id: 'b', kind: 'importance', title: 'I', labels: ['x', 'y'], values: [0.5, -0.2], errors: [0.1, 0], xLabel: 'gain' });
    expect(b.match(/<rect class="bar"/g)!.length).toBe(2);
    expect(b.match(/class="error-bar"/g)!.length).toBe(1);
  });
});

describe('calibrationCurve', () => {
  it('when probabilities fall in bins, then each non-empty bin gives its mean prediction and share of positives', () => {
    // scikit-learn: calibration_curve([0,0,1,1,1,0], [0.05,0.15,0.15,0.85,0.95,0.95], n_bins=10)
    // -> prob_true [0, 0.5, 1, 0.5], prob_pred [0.05, 0.15, 0.85, 0.95]
    const c = calibrationCurve(Uint8Array.from([0, 0, 1, 1, 1, 0]), Float64Array.from([0.05, 0.15, 0.15, 0.85, 0.95, 0.95]), 10);
    expect(Array.from(c.fractionPositive)).toEqual([0, 0.5, 1, 0.5]);
    expect(Array.from(c.meanPredicted).map((v) => Number(v.toFixed(12)))).toEqual([0.05, 0.15, 0.85, 0.95]);
    expect(Array.from(c.counts)).toEqual([1, 2, 1, 2]);
  });

  it('when a probability is exactly 1, then it falls in the last bin', () => {
    const c = calibrationCurve(Uint8Array.from([1, 0]), Float64Array.from([1, 0]), 5);
    expect(Array.from(c.meanPredicted)).toEqual([0, 1]);
  });
});

describe('classificationDiagnostics', () => {
  it('when there are more classes than the charts can hold, then curves are drawn for the most frequent ones only', () => {
    const k = 14;
    const rows: number[] = [];
    for (let c = 0; c < k; c++) for (let r = 0; r < (c < 4 ? 2 : 6); r++) rows.push(c); // classes 0-3 are rare
    const yTrue = Float64Array.from(rows);
    const proba = new Float64Array(rows.length * k);
    rows.forEach((c, i) => {
      for (let j = 0; j < k; j++) proba[i * k + j] = j === c ? 0.5 : 0.5 / (k - 1);
    });
    const d = classificationDiagnostics(yTrue, yTrue, proba, Array.from({ length: k }, (_, c) => `c${c}`));
    expect(d.curves.map((c) => c.label)).toEqual(['c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10', 'c11', 'c12', 'c13']);
    expect(d.curves[0]!.roc.auc).toBe(1);
    expect(d.confusion.length).toBe(k);
  });
});
