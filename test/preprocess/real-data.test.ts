// Real data through the real pipeline and CLI: seattle-weather (dates, a regression and a class
// target) and movies (free-text titles, heavy missing values, skewed money columns), both from
// the vega-datasets package.

import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readFrame } from '../../src/data/read.js';
import { toDense } from '../../src/engine/sparse.js';
import { Pipeline, type PipelineJSON } from '../../src/preprocess/pipeline.js';
import { classificationTask } from '../../src/tasks/classification.js';
import { classLabels } from '../../src/tasks/encode.js';
import { repoRoot, runCli, tempDir } from '../helpers/cli.js';

const weatherCsv = path.join(repoRoot, 'node_modules/vega-datasets/data/seattle-weather.csv');
const moviesJson = path.join(repoRoot, 'node_modules/vega-datasets/data/movies.json');

describe('seattle-weather through the pipeline', () => {
  it('when every step family runs on it, then features are as computed by hand and a saved pipeline transforms identically', async () => {
    const frame = await readFrame(weatherCsv);
    expect(frame.column('date')!.type).toBe('datetime');
    const classes = classLabels(frame.column('weather')!);
    const y = classificationTask.target.encode(frame, 'weather', classes, 'weather');
    const features = frame.drop(['weather']);
    const p = Pipeline.fromConfig(
      [
        { name: 'dedupe', params: {} },
        { name: 'datetime', params: { columns: ['date'], parts: ['year', 'month', 'dayofweek', 'weekend'], cyclical: true } },
        { name: 'lag', params: { columns: ['temp_max'], order: 'date', lags: [1, 7] } },
        { name: 'rolling', params: { columns: ['precipitation'], order: 'date', windows: [7], stats: ['mean', 'max'] } },
        { name: 'diff', params: { columns: ['temp_min'], order: 'date' } },
        { name: 'impute', params: { columns: 'numeric', strategy: 'median', indicator: true } },
        { name: 'outliers', params: { columns: ['wind'], method: 'zscore', action: 'clip' } },
        { name: 'log1p', params: { columns: ['precipitation'] } },
        { name: 'scale', params: { columns: ['temp_max', 'temp_min'], method: 'robust' } },
        { name: 'variance', params: {} },
        { name: 'correlation', params: { threshold: 0.98 } },
        { name: 'importance', params: { k: 12 } },
      ],
      { nativeCategorical: true, seed: 3 },
    );
    const fit = p.fit(features, { target: y });
    expect(fit.X.rows).toBe(1461);
    expect(fit.X.names.length).toBe(12);
    const firstTemp = (features.column('temp_max') as { values: Float64Array }).values[0]!;
    const restored = Pipeline.fromJSON(JSON.parse(JSON.stringify(p.toJSON())) as PipelineJSON);
    const again = restored.transform(features);
    expect(again.names).toEqual(fit.X.names);
    again.columns.forEach((c, j) => expect(Array.from(toDense(c))).toEqual(Array.from(toDense(fit.X.columns[j]!))));
    // The features themselves, before selection: 2012-01-01 is a Sunday; the first row has no
    // past and the second's lag is the first's temp_max.
    const hand = Pipeline.fromConfig(
      [
        { name: 'datetime', params: { columns: ['date'], parts: ['dayofweek', 'weekend'] } },
        { name: 'lag', params: { columns: ['temp_max'], order: 'date' } },
      ],
      { nativeCategorical: true },
    ).fit(features).frame;
    const col = (name: string) => (hand.column(name) as { values: Float64Array }).values;
    expect(Array.from(col('date_dayofweek').subarray(0, 3))).toEqual([6, 0, 1]);
    expect(Array.from(col('date_weekend').subarray(0, 3))).toEqual([1, 0, 0]);
    expect(Number.isNaN(col('temp_max_lag1')[0]!)).toBe(true);
    expect(col('temp_max_lag1')[1]).toBe(firstTemp);
  });
});

describe('soma CLI with preprocessing steps', () => {
  const dir = tempDir('soma-prep-');
  const registry = path.join(dir, 'registry');

  it('when movies (text, missing values, skew) train with tfidf, target encoding and a log1p target, then predictions come back on the rating scale', async () => {
    const config = path.join(dir, 'movies.yaml');
    writeFileSync(
      config,
      [
        'name: movies',
        'task: regression',
        'seed: 5',
        'data:',
        `  source: ${moviesJson}`,
        '  target: IMDB Rating',
        '  drop: [IMDB Votes, Rotten Tomatoes Rating, Release Date]',
        '  types: {Title: text}',
        'preprocess:',
        '  - dedupe: {}',
        '  - impute: {columns: numeric, strategy: median, indicator: true}',
        '  - log1p: {columns: [US Gross, Worldwide Gross, Production Budget]}',
        '  - target: {columns: [Distributor], smoothing: 20}',
        '  - onehot: {columns: [MPAA Rating, Major Genre], max_categories: 8, handle_unknown: infrequent}',
        '  - tfidf: {columns: [Title], stop_words: english, min_df: 3, max_features: 50}',
        '  - target_transform: {method: log1p}',
        'model:',
        '  type: gbdt',
        '  params: {n_estimators: 40, max_depth: 4, learning_rate: 0.1}',
      ].join('\n'),
    );
    const trained = await runCli(['train', '-c', config, '--registry', registry, '--json']);
    expect(trained.code, trained.stderr).toBe(0);
    const t = trained.json() as { metrics: { test: Record<string, number> }; path: string };
    // On the rating scale (1..10) the RMSE is about 1; on the log scale it would be near 0.15.
    expect(t.metrics.test['rmse']).toBeGreaterThan(0.4);
    expect(t.metrics.test['rmse']).toBeLessThan(1.5);
    const saved = JSON.parse(readFileSync(path.join(t.path, 'preprocess.json'), 'utf8')) as PipelineJSON;
    expect(saved.steps.map((s) => s.step)).toEqual(['dedupe', 'impute', 'log1p', 'target', 'onehot', 'tfidf', 'target_transform']);
    expect(saved.features.some((f) => f.name.startsWith('Title:'))).toBe(true);

    const out = path.join(dir, 'pred.csv');
    const predicted = await runCli(['predict', 'movies', '--input', moviesJson, '--output', out, '--registry', registry, '--json']);
    expect(predicted.code, predicted.stderr).toBe(0);
    const preds = readFileSync(out, 'utf8').trim().split('\n').slice(1).map(Number);
    expect(preds).toHaveLength(3201);
    const mean = preds.reduce((s, v) => s + v, 0) / preds.length;
    expect(mean).toBeGreaterThan(5);
    expect(mean).toBeLessThan(8);

    const evaluated = await runCli(['evaluate', 'movies', '--data', moviesJson, '--registry', registry, '--json']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect((evaluated.json() as { metrics: Record<string, number> }).metrics['r2']).toBeGreaterThan(0.2);
  });

  it('when soma preprocess runs, then the transformed training rows and the fitted pipeline are written side by side', async () => {
    const config = path.join(dir, 'weather.yaml');
    writeFileSync(
      config,
      [
        'name: weather',
        'data:',
        `  source: ${weatherCsv}`,
        '  target: temp_max',
        '  split: {train: 0.8, validation: 0.2, test: 0, shuffle: false}',
        'preprocess:',
        '  - datetime: {columns: [date], parts: [month, weekend]}',
        '  - lag: {columns: [temp_min], order: date, lags: [1]}',
        '  - outliers: {columns: [wind], method: iqr, action: drop}',
        '  - onehot: {columns: [weather]}',
        'model: {type: linear}',
      ].join('\n'),
    );
    const out = path.join(dir, 'weather-train.csv');
    const r = await runCli(['preprocess', '-c', config, '--output', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const res = r.json() as { rows: number; input_rows: number; columns: string[]; pipeline: string; steps: string[] };
    expect(res.input_rows).toBe(1169); // 80% of 1461, rounded by the splitter
    expect(res.rows).toBeLessThan(res.input_rows); // windy days dropped by outliers: drop
    expect(res.pipeline).toBe(path.join(dir, 'weather-train.preprocess.json'));
    expect(res.columns[res.columns.length - 1]).toBe('temp_max');
    expect(res.columns).toContain('temp_min_lag1');
    expect(res.columns).toContain('weather=sun');
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(res.rows + 1);
    expect(lines[0]!.split(',')).toEqual(res.columns);
    // The second training row's lag is the first row's temp_min (2012-01-01: 5.0).
    const header = lines[0]!.split(',');
    expect(Number(lines[2]!.split(',')[header.indexOf('temp_min_lag1')])).toBe(5);
    const pipeline = JSON.parse(readFileSync(res.pipeline, 'utf8')) as PipelineJSON;
    expect(pipeline.steps.map((s) => s.step)).toEqual(res.steps);
    expect(pipeline.features.map((f) => f.name)).toEqual(res.columns.slice(0, -1));
  });

  it('when movie titles become sparse tfidf features, then soma preprocess writes their dense values and logistic trains and predicts on them', async () => {
    const config = path.join(dir, 'genres.yaml');
    writeFileSync(
      config,
      [
        'name: genres',
        'data:',
        `  source: ${moviesJson}`,
        '  target: Major Genre',
        '  drop: [US Gross, Worldwide Gross, US DVD Sales, Production Budget, Release Date, MPAA Rating, Running Time min, Distributor, Source, Creative Type, Director, Rotten Tomatoes Rating, IMDB Rating, IMDB Votes]',
        '  types: {Title: text}',
        'preprocess:',
        '  - tfidf: {columns: [Title], max_features: 2000}',
        '  - scale: {columns: numeric}',
        'model: {type: logistic, params: {alpha: 1}}',
      ].join('\n'),
    );
    const out = path.join(dir, 'genres-train.csv');
    const r = await runCli(['preprocess', '-c', config, '--output', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const res = r.json() as { rows: number; columns: string[] };
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(res.rows + 1);
    const header = lines[0]!.split(',');
    const terms = header.filter((h) => h.startsWith('Title:'));
    expect(terms.length).toBe(2000);
    // Every cell is written, zeros included; a row has a non-zero for each of its (scaled) terms.
    const love = header.indexOf('Title:love');
    const cells = lines.slice(1).map((l) => l.split(','));
    expect(cells.every((c) => c.length === header.length)).toBe(true);
    expect(cells.filter((c) => Number(c[love]) > 0).length).toBeGreaterThan(5);
    expect(cells.filter((c) => c[love] === '0').length).toBeGreaterThan(res.rows * 0.9);

    const trained = await runCli(['train', '-c', config, '--registry', registry, '--json']);
    expect(trained.code, trained.stderr).toBe(0);
    const predicted = await runCli(['predict', 'genres', '--input', moviesJson, '--output', path.join(dir, 'genres.csv'), '--registry', registry, '--json']);
    expect(predicted.code, predicted.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'genres.csv'), 'utf8').trim().split('\n')).toHaveLength(3201 + 1);
  }, 180_000);

  it('when prediction input has text in a numeric column, then it exits 3 naming the column, row and value', async () => {
    const config = path.join(dir, 'weather2.yaml');
    writeFileSync(config, ['name: weather2', 'data:', `  source: ${weatherCsv}`, '  target: weather', 'preprocess:', '  - scale: {columns: numeric}', 'model: {type: decision_tree}'].join('\n'));
    const trained = await runCli(['train', '-c', config, '--registry', registry, '--json']);
    expect(trained.code, trained.stderr).toBe(0);
    const lines = readFileSync(weatherCsv, 'utf8').trim().split('\n').slice(0, 6);
    const cells = lines[3]!.split(',');
    cells[2] = 'hot';
    lines[3] = cells.join(',');
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, `${lines.join('\n')}\n`);
    const r = await runCli(['predict', 'weather2', '--input', bad, '--output', path.join(dir, 'p.csv'), '--registry', registry, '--json']);
    expect(r.code).toBe(3);
    const e = (r.json() as { error: { message: string; details: { column: string; row: number; value: string } } }).error;
    expect(e.details).toMatchObject({ column: 'temp_max', row: 3, value: 'hot' });
    expect(e.message).toMatch(/column "temp_max" row 3: "hot" is not a valid number/);
    const ev = await runCli(['evaluate', 'weather2', '--data', bad, '--registry', registry, '--json']);
    expect(ev.code).toBe(3);
    expect((ev.json() as { error: { details: { column: string; row: number } } }).error.details).toMatchObject({ column: 'temp_max', row: 3 });

    // A missing column exits 3 naming it; an extra one is ignored with a warning.
    const dropped = path.join(dir, 'missing.csv');
    writeFileSync(dropped, `${readFileSync(weatherCsv, 'utf8').trim().split('\n').slice(0, 4).map((l) => l.split(',').filter((_, j) => j !== 4).join(',')).join('\n')}\n`);
    const m = await runCli(['predict', 'weather2', '--input', dropped, '--output', path.join(dir, 'p2.csv'), '--registry', registry]);
    expect(m.code).toBe(3);
    expect(m.stderr).toMatch(/wind/);
    const extra = path.join(dir, 'extra.csv');
    writeFileSync(extra, `${readFileSync(weatherCsv, 'utf8').trim().split('\n').slice(0, 4).map((l, i) => `${l},${i === 0 ? 'station' : 'x'}`).join('\n')}\n`);
    const x = await runCli(['predict', 'weather2', '--input', extra, '--output', path.join(dir, 'p3.csv'), '--registry', registry]);
    expect(x.code, x.stderr).toBe(0);
    expect(x.stderr).toMatch(/ignoring 2 column\(s\) the model does not use: weather, station/);
  });
});
