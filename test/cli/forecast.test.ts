// The forecasting task end to end through the real CLI on real series: train (backtest, model
// lists, intervals, registration), soma forecast (future rows, --horizon, --future for known
// columns), gates against an alias on the backtest, and the data errors that stop a run (exit 3).

import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli, tempDir } from '../helpers/cli.js';

const fixture = (f: string): string => path.join(repoRoot, 'test', 'fixtures', f);

interface TrainJson {
  version: string;
  path: string;
  metrics: Record<string, Record<string, number>>;
  gates: { metric: string; passed: boolean }[];
}

function setup(files: [string, string][], yaml: string): { dir: string; cfg: string; reg: string } {
  const dir = tempDir('soma-fc-');
  for (const [from, to] of files) copyFileSync(fixture(from), path.join(dir, to));
  const cfg = path.join(dir, 'soma.yaml');
  writeFileSync(cfg, yaml);
  return { dir, cfg, reg: path.join(dir, 'reg') };
}

const csvRows = (file: string): string[][] => readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(','));

const co2Yaml = (extra = ''): string => `name: co2
task: forecasting
data: { source: co2.csv, time: Date, target: CO2 }
forecast: { horizon: 12, backtest: { windows: 3 }, gaps: previous${extra} }
model: { type: [seasonal_naive, ets] }
`;

describe('soma train with task: forecasting', () => {
  it('when model.type lists local families on the CO2 record, then the backtest scores both, the better one is registered with its intervals, and soma forecast writes the next periods', async () => {
    const { dir, cfg, reg } = setup([['forecast/co2.csv', 'co2.csv']], co2Yaml());
    const r = await runCli(['train', '-c', cfg, '--registry', reg, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/5 missing periods inside the series filled \(forecast.gaps: previous\)/);
    const out = r.json() as TrainJson;
    const bt = out.metrics['backtest']!;
    for (const m of ['mae', 'rmse', 'wape', 'smape', 'mase', 'coverage_80', 'coverage_95']) expect(bt[m], m).toBeTypeOf('number');
    const metrics = JSON.parse(readFileSync(path.join(out.path, 'metrics.json'), 'utf8')) as {
      candidates: Record<string, Record<string, number>>;
      counts: Record<string, number>;
      backtest_series: { series: string; points: number; mase: number }[];
      by_step: { mae: number[] };
    };
    expect(Object.keys(metrics.candidates)).toEqual(['seasonal_naive', 'ets']);
    // ETS models the trend the seasonal naive forecast misses: it wins and is the version's family.
    expect(metrics.candidates['ets']!['mase']!).toBeLessThan(metrics.candidates['seasonal_naive']!['mase']!);
    expect(bt['mase']).toBe(metrics.candidates['ets']!['mase']);
    expect(metrics.counts).toMatchObject({ series: 1, rows: 741, filled_periods: 5, scored_points: 36, mase_pairs: 3, mase_skipped: 0 });
    expect(metrics.backtest_series).toHaveLength(1);
    expect(metrics.by_step.mae).toHaveLength(12);
    const meta = JSON.parse(readFileSync(path.join(out.path, 'metadata.json'), 'utf8')) as { task: string; algorithm: string };
    expect(meta).toMatchObject({ task: 'forecasting', algorithm: 'ets' });
    expect(readFileSync(path.join(out.path, 'report.md'), 'utf8')).toMatch(/## Candidates[\s\S]*\| ets \|/);
    expect(readFileSync(path.join(out.path, 'report.html'), 'utf8')).toContain('Actual against forecast (last backtest window)');

    const output = path.join(dir, 'next.csv');
    const f = await runCli(['forecast', 'co2', '--history', path.join(dir, 'co2.csv'), '--horizon', '6', '--output', output, '--registry', reg, '--json']);
    expect(f.code, f.stderr).toBe(0);
    expect(f.json()).toMatchObject({ id: 'co2_v1.0.0', family: 'ets', series: 1, horizon: 6, rows: 6 });
    const rows = csvRows(output);
    expect(rows[0]).toEqual(['Date', 'forecast', 'lower_80', 'upper_80', 'lower_95', 'upper_95']);
    expect(rows.slice(1).map((x) => x[0])).toEqual(['2020-05-01', '2020-06-01', '2020-07-01', '2020-08-01', '2020-09-01', '2020-10-01']);
    for (const row of rows.slice(1)) {
      const [v, lo80, hi80, lo95, hi95] = row.slice(1).map(Number);
      expect(lo95!).toBeLessThanOrEqual(lo80!);
      expect(lo80!).toBeLessThanOrEqual(v!);
      expect(v!).toBeLessThanOrEqual(hi80!);
      expect(hi80!).toBeLessThanOrEqual(hi95!);
      // The record's last values are 414-418 ppm.
      expect(v!).toBeGreaterThan(405);
      expect(v!).toBeLessThan(425);
    }
    const far = await runCli(['forecast', 'co2', '--history', path.join(dir, 'co2.csv'), '--horizon', '13', '--output', output, '--registry', reg]);
    expect(far.code).toBe(2);
    expect(far.stderr).toMatch(/--horizon 13: co2_v1.0.0 was trained and calibrated for 12 periods ahead/);
  });

  it('when a global gbdt uses known columns, then soma forecast takes their future values from --future, and a missing one is a data error naming the series, column and time', async () => {
    const { dir, cfg, reg } = setup(
      [['forecast/seattle.csv', 'seattle.csv']],
      `name: weather
task: forecasting
data: { source: history.csv, time: date, target: temp_max }
forecast: { horizon: 7, lags: [1, 7], rolling: [7], known: [precipitation, wind], backtest: { windows: 2 } }
model: { type: gbdt, params: { n_estimators: 30, n_jobs: 1 } }
`,
    );
    const lines = readFileSync(path.join(dir, 'seattle.csv'), 'utf8').trim().split('\n');
    writeFileSync(path.join(dir, 'history.csv'), `${lines.slice(0, 394).join('\n')}\n`);
    // The next 7 days without the target (temp_max), from the same file.
    const future = lines.slice(394, 401).map((l) => l.split(',')).map((c) => [c[0], c[1], c[4]].join(','));
    writeFileSync(path.join(dir, 'future.csv'), `date,precipitation,wind\n${future.join('\n')}\n`);
    const r = await runCli(['train', '-c', cfg, '--registry', reg, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as TrainJson;
    expect(out.metrics['backtest']!['mae']!).toBeGreaterThan(0);
    const meta = JSON.parse(readFileSync(path.join(out.path, 'metadata.json'), 'utf8')) as { algorithm: string; summary: Record<string, number> };
    expect(meta.algorithm).toBe('gbdt');
    expect(meta.summary['train_rows']).toBeGreaterThan(300);

    const output = path.join(dir, 'next.csv');
    const noFuture = await runCli(['forecast', 'weather', '--history', path.join(dir, 'history.csv'), '--output', output, '--registry', reg]);
    expect(noFuture.code).toBe(2);
    expect(noFuture.stderr).toMatch(/uses known columns \(precipitation, wind\): give their values for the periods ahead with --future FILE/);
    const f = await runCli(['forecast', 'weather', '--history', path.join(dir, 'history.csv'), '--future', path.join(dir, 'future.csv'), '--output', output, '--registry', reg]);
    expect(f.code, f.stderr).toBe(0);
    const rows = csvRows(output);
    expect(rows).toHaveLength(8);
    expect(rows[1]![0]).toBe(lines[394]!.split(',')[0]);
    // Early February in Seattle: daily highs of a few degrees to the low teens.
    for (const row of rows.slice(1)) expect(Math.abs(Number(row[1]))).toBeLessThan(20);
    writeFileSync(path.join(dir, 'short.csv'), `date,precipitation,wind\n${future.slice(0, 5).join('\n')}\n`);
    const short = await runCli(['forecast', 'weather', '--history', path.join(dir, 'history.csv'), '--future', path.join(dir, 'short.csv'), '--output', output, '--registry', reg]);
    expect(short.code).toBe(3);
    expect(short.stderr).toContain(`short.csv: no precipitation for series (the only series) at ${lines[399]!.split(',')[0]} (known columns are needed for every period forecast)`);
  });

  it('when series are keyed by a column, then each is scored, and gates on the backtest compare with the production version', async () => {
    const { cfg, reg } = setup(
      [['vega/stocks.csv', 'stocks.csv']],
      `name: stocks
task: forecasting
data: { source: stocks.csv, time: date, series: symbol, target: price }
forecast: { horizon: 6, backtest: { windows: 4, step: 6 } }
model: { type: naive }
`,
    );
    const first = await runCli(['train', '-c', cfg, '--registry', reg, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const out = first.json() as TrainJson;
    const metrics = JSON.parse(readFileSync(path.join(out.path, 'metrics.json'), 'utf8')) as { backtest_series: { series: string; points: number }[]; counts: Record<string, number> };
    expect(metrics.backtest_series.map((s) => s.series)).toEqual(['AAPL', 'AMZN', 'GOOG', 'IBM', 'MSFT']);
    expect(metrics.backtest_series.every((s) => s.points === 24)).toBe(true);
    expect(metrics.counts['mase_pairs']).toBe(20);
    // Promotion requirements and the version list read the backtest.
    const refused = await runCli(['models', 'promote', 'stocks@1.0.0', '--to', 'production', '--require', 'mase < 0.5', '--registry', reg]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/mase < 0\.5 on backtest: 0\.98\d+ FAILED\nhint: recorded backtest metrics: mae=/);
    expect((await runCli(['models', 'promote', 'stocks@1.0.0', '--to', 'production', '--require', 'mase <= 1', '--registry', reg])).code).toBe(0);
    const list = await runCli(['models', 'list', 'stocks', '--registry', reg, '--json']);
    expect(JSON.stringify(list.json())).toMatch(/"metric":\{"name":"mase","value":0\.98/);
    // Theta does worse than naive on these near random walks: refused against production.
    const worse = await runCli(['train', '-c', cfg, '--registry', reg, '--set', 'evaluate.gates={mase: "<= production"}', '--set', 'model.type=theta']);
    expect(worse.code).toBe(4);
    expect(worse.stderr).toMatch(/quality gate failed, nothing registered: mase <= production = 0\.98\d+, production is 1\.0\.0 on backtest: 0\.98\d+ FAILED/);
    const same = await runCli(['train', '-c', cfg, '--registry', reg, '--json', '--set', 'evaluate.gates={mase: "<= production"}']);
    expect(same.code, same.stderr).toBe(0);
    expect((same.json() as TrainJson).gates).toEqual([expect.objectContaining({ metric: 'mase', passed: true })]);
    const cmp = await runCli(['compare', 'stocks@1.0.0', 'stocks', '--split', 'backtest', '--registry', reg, '--json']);
    expect(cmp.code, cmp.stderr).toBe(0);
    expect((cmp.json() as { split: string; metrics: { metric: string }[] }).metrics.map((m) => m.metric)).toContain('mase');
  });

  it('when the global model is linear with the direct strategy, or unscaled, then it trains, backtests and forecasts every step from the history alone', async () => {
    const { dir, cfg, reg } = setup(
      [['forecast/seattle.csv', 'seattle.csv']],
      `name: weather-direct
task: forecasting
data: { source: seattle.csv, time: date, target: temp_max }
forecast: { horizon: 3, lags: [1, 2, 7], rolling: [7], strategy: direct, scaling: none, backtest: { windows: 2 } }
model: { type: linear }
`,
    );
    const r = await runCli(['train', '-c', cfg, '--registry', reg, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as TrainJson;
    const model = JSON.parse(readFileSync(path.join(out.path, 'model', 'model.json'), 'utf8')) as { state: { global: { strategy: string; models: unknown[]; spec: { categorical: unknown[] } } } };
    // One linear model per step; no categorical features for a family that cannot split them.
    expect(model.state.global.strategy).toBe('direct');
    expect(model.state.global.models).toHaveLength(3);
    const output = path.join(dir, 'next.csv');
    const f = await runCli(['forecast', 'weather-direct', '--history', path.join(dir, 'seattle.csv'), '--output', output, '--registry', reg]);
    expect(f.code, f.stderr).toBe(0);
    const rows = csvRows(output);
    expect(rows.map((x) => x[0])).toEqual(['date', '2013-02-04', '2013-02-05', '2013-02-06']);
    for (const row of rows.slice(1)) expect(Number(row[1])).toBeGreaterThan(0);
  });

  it('when the data has a gap, a duplicated (series, time) or a timestamp off the frequency, then train stops with exit 3 naming it', async () => {
    const { dir, cfg, reg } = setup([['forecast/co2.csv', 'co2.csv']], co2Yaml().replace(', gaps: previous', ''));
    const gap = await runCli(['train', '-c', cfg, '--registry', reg]);
    expect(gap.code).toBe(3);
    expect(gap.stderr).toContain('co2.csv: series (the only series) has no row for 1958-06-01, inside its history (a gap in the monthly periods)');
    expect(gap.stderr).toMatch(/hint: set forecast.gaps: zero/);
    const lines = readFileSync(path.join(dir, 'co2.csv'), 'utf8').trim().split('\n');
    writeFileSync(path.join(dir, 'co2.csv'), `${[...lines, lines[lines.length - 1]!].join('\n')}\n`);
    writeFileSync(cfg, co2Yaml());
    const dup = await runCli(['train', '-c', cfg, '--registry', reg]);
    expect(dup.code).toBe(3);
    expect(dup.stderr).toContain('co2.csv: series (the only series) has two rows for 2020-04-01 (data rows 741 and 742)');
    writeFileSync(path.join(dir, 'co2.csv'), `${[...lines, '2020-05-15,417.1'].join('\n')}\n`);
    writeFileSync(cfg, co2Yaml(', frequency: monthly'));
    const off = await runCli(['train', '-c', cfg, '--registry', reg]);
    expect(off.code).toBe(3);
    expect(off.stderr).toContain('co2.csv: Date 2020-05-15 does not fit frequency monthly');
  });

  it('when task: forecasting lacks data.time or forecast:, then validation names them (exit 2)', async () => {
    const { cfg } = setup([['forecast/co2.csv', 'co2.csv']], 'task: forecasting\ndata: { source: co2.csv, target: CO2 }\nmodel: { type: ets }\n');
    const r = await runCli(['validate', '-c', cfg, '--no-data']);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/forecast/);
    expect(r.stdout + r.stderr).toMatch(/time/);
  });
});
