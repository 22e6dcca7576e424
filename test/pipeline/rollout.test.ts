// `soma models rollout` against a real server and registry: traffic moves to the new version in
// steps through routes.json (which the server follows), each step judged from the prediction log;
// a healthy rollout ends with the old alias promoted, a worse new version (one whose contract
// refuses the traffic) is rolled back by itself with exit 4; every change is an event. The
// step's verdict as a pure function on hand-made records.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDuckDB } from '../../src/data/duckdb.js';
import type { PredictionLogRecord } from '../../src/monitor/prediction-log.js';
import { judgeStep } from '../../src/pipeline/rollout.js';
import { Registry } from '../../src/registry/store.js';
import type { JsonObject } from '../../src/util/json.js';
import { example, runCli, tempDir } from '../helpers/cli.js';
import { penguinsGbdt, post, serve, train, typedRecords, type TestServer } from '../server/helpers.js';

const registry = tempDir('soma-rollout-');
const numeric = new Set(['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)']);
const rows = typedRecords(example('penguins', 'penguins.csv'), numeric, ['Species']);
const penguins = example('penguins', 'penguins.csv');
/** Version 1.0.0 reads no Island; 1.1.0 needs it (so traffic without it is refused, 422). */
const picky = (drop: boolean): [string, string] => [
  `picky-${drop}`,
  ['name: picky', 'task: classification', 'seed: 2', 'data:', `  source: ${penguins}`, '  target: Species', ...(drop ? ['  drop: [Island]'] : []), 'model: {type: gbdt, params: {n_estimators: 10, max_depth: 3}}'].join('\n'),
];
const servers: TestServer[] = [];

beforeAll(async () => {
  await train(registry, [penguinsGbdt(3, 20), penguinsGbdt(3, 30), picky(true), picky(false)]);
  for (const [ref, alias] of [
    ['penguins-gbdt@1.0.0', 'production'],
    ['penguins-gbdt@1.1.0', 'staging'],
    ['picky@1.0.0', 'production'],
    ['picky@1.1.0', 'staging'],
  ]) {
    const r = await runCli(['models', 'promote', ref!, '--to', alias!, '--registry', registry]);
    expect(r.code, r.stderr).toBe(0);
  }
}, 180_000);

afterAll(async () => {
  for (const s of servers) await s.close();
  await closeDuckDB();
});

/** Keyed requests (without Island, if asked) until stopped; the versions that answered, counted. */
function traffic(url: string, model: string, withoutIsland: boolean): { stop: () => Promise<Map<string, number>> } {
  let stopped = false;
  const seen = new Map<string, number>();
  const loop = async (c: number): Promise<void> => {
    for (let i = c; !stopped; i += 4) {
      const { Island: _, ...rest } = rows[i % 300]!;
      const r = await post(`${url}/models/${model}/predict`, { records: [withoutIsland ? rest : rows[i % 300]!] }, { 'x-soma-key': `k${i}` });
      const v = `${r.status}:${r.headers.get('x-soma-model-version') ?? '-'}`;
      seen.set(v, (seen.get(v) ?? 0) + 1);
      await new Promise((res) => setTimeout(res, 2));
    }
  };
  const loops = [0, 1, 2, 3].map(loop);
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      return seen;
    },
  };
}

describe('soma models rollout', () => {
  it('when the new version does as well, then traffic moves in steps and production is promoted to it at the end, with every change an event', async () => {
    const s = await serve(registry, ['penguins-gbdt@production']);
    servers.push(s);
    const load = traffic(s.url, 'penguins-gbdt', false);
    const r = await runCli(['models', 'rollout', 'penguins-gbdt', '--to', 'staging', '--steps', '50,100', '--every', '4s', '--min-requests', '5', '--registry', registry, '--json']);
    await new Promise((res) => setTimeout(res, 300));
    const seen = await load.stop();
    expect(r.code, r.stderr).toBe(0);
    const result = r.json() as JsonObject;
    expect(result['outcome']).toBe('completed');
    expect((result['steps'] as JsonObject[]).map((x) => [x['step'], x['verdict']])).toEqual([
      [50, 'passed'],
      [100, 'running'],
    ]);
    expect(seen.get('200:1.0.0')).toBeGreaterThan(0);
    expect(seen.get('200:1.1.0')).toBeGreaterThan(0);
    expect([...seen.keys()].every((k) => k.startsWith('200:'))).toBe(true);
    const reg = new Registry(registry);
    expect((await reg.readAliases('penguins-gbdt'))['production']).toBe('1.1.0');
    expect(existsSync(path.join(registry, 'penguins-gbdt', 'routes.json'))).toBe(false);
    const events = (await reg.readEvents('penguins-gbdt')).map((e) => e['event']).filter((e) => String(e).startsWith('rollout') || e === 'promoted');
    expect(events.slice(-5)).toEqual(['rollout_started', 'rollout_step', 'rollout_step', 'promoted', 'rollout_completed']);
    const after = await post(`${s.url}/models/penguins-gbdt/predict`, { records: rows.slice(0, 1) });
    expect(after.headers.get('x-soma-model-version')).toBe('1.1.0');
  }, 60_000);

  it('when the new version refuses the traffic, then the rollout rolls back by itself, exits 4, and the old version serves everything again', async () => {
    const s = await serve(registry, ['picky@production']);
    servers.push(s);
    const load = traffic(s.url, 'picky', true);
    const r = await runCli(['models', 'rollout', 'picky', '--to', 'staging', '--steps', '50,100', '--every', '4s', '--min-requests', '5', '--registry', registry, '--json']);
    const during = await load.stop();
    expect(r.code).toBe(4);
    const error = (r.json() as { error: JsonObject }).error;
    expect(error['code']).toBe('GATE_FAILED');
    expect(String(error['message'])).toContain('rolled back picky: staging (1.1.0) error rate 100.00% exceeds production (1.0.0) 0.00% by more than 1.00%');
    expect(during.get('422:1.1.0')).toBeGreaterThan(0);
    const reg = new Registry(registry);
    expect((await reg.readAliases('picky'))['production']).toBe('1.0.0');
    expect(existsSync(path.join(registry, 'picky', 'routes.json'))).toBe(false);
    const events = await reg.readEvents('picky');
    expect(events.at(-1)).toMatchObject({ event: 'rollout_rolled_back', from: '1.1.0', to: '1.0.0' });
    const t0 = Date.now();
    let version: string | null = null;
    while (Date.now() - t0 < 5000) {
      const { Island: _, ...rec } = rows[0]!;
      const after = await post(`${s.url}/models/picky/predict`, { records: [rec] }, { 'x-soma-key': 'k1' });
      version = after.headers.get('x-soma-model-version');
      if (version === '1.0.0') break;
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(version).toBe('1.0.0');
  }, 60_000);

  it('when --steps do not end at 100, or the aliases hold one version, then it exits 2 before changing anything', async () => {
    expect((await runCli(['models', 'rollout', 'picky', '--to', 'staging', '--steps', '10,5', '--every', '1s', '--registry', registry])).code).toBe(2);
    expect((await runCli(['models', 'rollout', 'picky', '--to', 'production', '--every', '1s', '--registry', registry])).code).toBe(2);
  });
});

describe('judgeStep', () => {
  const rec = (arm: string, version: string, status: number, latency: number): PredictionLogRecord => ({
    v: 1, at: '2026-11-22T00:00:00.000Z', model: 'm', version, route: 'soma', arm, key: null, status, error: null, latency_ms: latency, rows: 1, cached: false, ids: null, inputs: null, outputs: null,
  });
  const old = { alias: 'production', version: '1.0.0' };
  const next = { alias: 'staging', version: '1.1.0' };
  const bounds = { maxErrorRate: 0.05, maxP99Ms: 3, minRequests: 10 };
  const many = (arm: string, version: string, n: number, bad: number, latency: number): PredictionLogRecord[] =>
    Array.from({ length: n }, (_, i) => rec(arm, version, i < bad ? 500 : 200, latency));

  it('when the new arm errs within the bound and is as fast, then the step passes', () => {
    const v = judgeStep([...many('production', '1.0.0', 100, 2, 1), ...many('staging', '1.1.0', 20, 1, 1.5)], old, next, bounds);
    expect(v.verdict).toBe('passed');
    expect(v.new).toEqual({ requests: 20, errors: 1, error_rate: 0.05, p99_ms: 1.5 });
  });

  it('when the new arm errs more than the bound over the old one, or is slower by more than max_p99_ms, then it fails', () => {
    expect(judgeStep([...many('production', '1.0.0', 100, 0, 1), ...many('staging', '1.1.0', 20, 2, 1)], old, next, bounds).verdict).toBe('failed');
    const slow = judgeStep([...many('production', '1.0.0', 100, 0, 1), ...many('staging', '1.1.0', 20, 0, 5)], old, next, bounds);
    expect(slow.verdict).toBe('failed');
    expect(slow.why).toBe('staging (1.1.0) p99 latency 5 ms exceeds production (1.0.0) 1 ms by more than 3 ms');
  });

  it('when the new arm has too few requests, or records of other versions and arms are mixed in, then only its own count and it is not judged', () => {
    const v = judgeStep([...many('production', '1.0.0', 100, 0, 1), ...many('staging', '1.1.0', 5, 5, 1), ...many('staging', '9.9.9', 50, 50, 1), ...many('shadow:staging', '1.1.0', 50, 50, 1)], old, next, bounds);
    expect(v.verdict).toBe('not_enough_traffic');
    expect(v.new!.requests).toBe(5);
  });
});
