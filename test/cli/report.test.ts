// The reports of a trained version: report.html rendered in headless Chromium (Debian's
// `chromium`), permutation importance and fairness in metrics.json and report.md, and the path
// `soma train` prints. Real training runs (penguins, cars) into a temporary registry.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { example, runCli, tempDir } from '../helpers/cli.js';
import { chromiumForTests, renderPage, screenshot } from '../evaluate/chromium.js';

const registry = tempDir('soma-report-');
const reg = ['--registry', registry];
let penguinsDir = '';
let carsDir = '';
let trainText = '';

beforeAll(async () => {
  const human = await runCli(['train', '-c', example('penguins', 'soma.yaml'), ...reg, '--set', 'evaluate.sensitive=[Island, Sex]', '--set', 'evaluate.fairness_threshold=0.05']);
  expect(human.code, human.stderr).toBe(0);
  trainText = human.stderr;
  penguinsDir = path.join(registry, 'penguins', 'versions', '1.0.0');
  const cars = await runCli(['train', '-c', example('cars', 'soma.yaml'), ...reg, '--json']);
  expect(cars.code, cars.stderr).toBe(0);
  carsDir = (cars.json() as { path: string }).path;
  expect((cars.json() as { report: string }).report).toBe(path.join(carsDir, 'report.html'));
});

describe('soma train writes the reports', () => {
  it('when training finishes, then it prints the path of report.html, which is a checksummed artifact', async () => {
    expect(trainText).toContain(`report: ${path.join(penguinsDir, 'report.html')}`);
    expect(existsSync(path.join(penguinsDir, 'report.html'))).toBe(true);
    const md = JSON.parse(readFileSync(path.join(penguinsDir, 'metadata.json'), 'utf8')) as { artifacts: { path: string }[] };
    expect(md.artifacts.map((a) => a.path)).toContain('report.html');
  });

  it('when a model is trained, then metrics.json holds permutation importance next to the model\'s own importance', () => {
    const m = JSON.parse(readFileSync(path.join(penguinsDir, 'metrics.json'), 'utf8')) as Record<string, { values: Record<string, number> } & Record<string, unknown>>;
    expect(Object.keys(m['feature_importance']!.values).sort()).toEqual(Object.keys(m['permutation_importance']!.values).sort());
    expect(m['permutation_importance']).toMatchObject({ metric: 'accuracy', split: 'test', repeats: 5, rows: 51 });
    // Beak length separates the species best: shuffling it costs the most accuracy.
    const perm = Object.entries(m['permutation_importance']!.values).sort((a, b) => b[1] - a[1]);
    expect(perm[0]![0]).toBe('Beak Length (mm)');
    expect(perm[0]![1]).toBeGreaterThan(0.1);
  });

  it('when evaluate.sensitive names columns, then metrics.json and report.md carry per-group metrics and the parity gaps', () => {
    const m = JSON.parse(readFileSync(path.join(penguinsDir, 'metrics.json'), 'utf8')) as { fairness: { threshold: number; split: string; columns: { column: string; groups: { group: string; rows: number }[]; demographic_parity_difference: { value: number } | null }[] } };
    expect(m.fairness.threshold).toBe(0.05);
    expect(m.fairness.columns.map((c) => c.column)).toEqual(['Island', 'Sex']);
    const island = m.fairness.columns[0]!;
    expect(island.groups.map((g) => g.group)).toEqual(['Biscoe', 'Dream', 'Torgersen']);
    expect(island.groups.reduce((s, g) => s + g.rows, 0)).toBe(51);
    // Gentoo penguins live only on Biscoe, so the islands' selection rates differ a lot.
    expect(island.demographic_parity_difference!.value).toBeGreaterThan(0.3);
    const report = readFileSync(path.join(penguinsDir, 'report.md'), 'utf8');
    expect(report).toContain('## Permutation importance');
    expect(report).toContain('### Island');
    expect(report).toMatch(/- demographic parity difference: \d/);
  });

  it('when a sensitive column is not in the data, then train exits 2 naming it before fitting', async () => {
    const r = await runCli(['train', '-c', example('penguins', 'soma.yaml'), ...reg, '--set', 'evaluate.sensitive=[Continent]']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/evaluate\.sensitive: column "Continent" not in the data/);
  });
});

const chromium = chromiumForTests(import.meta.url);

describe.skipIf(!chromium)('report.html of trained versions in headless Chromium', () => {
  it('when the classification report opens, then ROC, PR, calibration, confusion, both importances, fairness, profile and config are there and nothing else loads', async () => {
    const page = await renderPage(chromium!, path.join(penguinsDir, 'report.html'));
    for (const [id, kind] of [['chart-roc', 'roc'], ['chart-pr', 'pr'], ['chart-calibration', 'calibration'], ['chart-confusion', 'confusion'], ['chart-importance', 'importance'], ['chart-permutation', 'permutation']]) {
      expect(page.dom, id).toMatch(new RegExp(`<svg id="${id}" class="chart chart-${kind}"`));
    }
    // One ROC curve per species (one-vs-rest), a 3 x 3 confusion matrix.
    const roc = /<svg id="chart-roc"[\s\S]*?<\/svg>/.exec(page.dom)![0];
    expect(roc.match(/<path class="series"/g)?.length).toBe(3);
    const cm = /<svg id="chart-confusion"[\s\S]*?<\/svg>/.exec(page.dom)![0];
    expect(cm.match(/<g class="cell">/g)?.length).toBe(9);
    for (const section of ['metrics', 'charts', 'importance', 'fairness', 'profile', 'config']) expect(page.dom).toContain(`<section id="${section}">`);
    expect(page.dom).toContain('<table class="fairness" id="fairness-Island">');
    expect(page.loads).toEqual([]);
  });

  it('when the regression report opens, then residuals and predicted-against-actual charts are there and nothing else loads', async () => {
    const page = await renderPage(chromium!, path.join(carsDir, 'report.html'));
    expect(page.dom).toMatch(/<svg id="chart-residuals" class="chart chart-residuals"/);
    expect(page.dom).toMatch(/<svg id="chart-predicted-actual" class="chart chart-predicted-actual"/);
    const points = /<svg id="chart-residuals"[\s\S]*?<\/svg>/.exec(page.dom)![0].match(/<circle /g)?.length ?? 0;
    expect(points).toBeGreaterThan(40); // the cars test split, one dot per row
    expect(page.dom).not.toContain('id="chart-roc"');
    expect(page.loads).toEqual([]);
  });

  it('when evaluate is asked for --report, then it writes the same kind of page for that file, and it renders', async () => {
    const out = path.join(registry, 'eval-report.html');
    const r = await runCli(['evaluate', 'penguins@1.0.0', '--data', example('penguins', 'penguins.csv'), ...reg, '--report', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((r.json() as { report: string }).report).toBe(out);
    const page = await renderPage(chromium!, out);
    for (const id of ['chart-roc', 'chart-pr', 'chart-calibration', 'chart-confusion', 'chart-permutation']) expect(page.dom, id).toContain(`<svg id="${id}"`);
    expect(page.dom).toContain('<h1>penguins_v1.0.0 on penguins.csv</h1>');
    expect(page.dom).toMatch(/<h2>Evaluation data<\/h2><p class="lead">\d+ rows in penguins\.csv/);
    expect(page.loads).toEqual([]);
  });

  it('when screenshotted, then Chromium produces a PNG of the page (kept for a human to look at)', async () => {
    const out = path.join(registry, 'penguins-report.png');
    await screenshot(chromium!, path.join(penguinsDir, 'report.html'), out, '1280,2600');
    const png = readFileSync(out);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(50_000); // a blank page compresses to a few kB
  });
});
