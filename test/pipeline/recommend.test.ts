// The recommendation task end to end through the real CLI: train (split, fit, score, register),
// soma recommend (lists, fallbacks, similar items, streaming to a file), gates on ranking
// metrics, data errors, and a damaged artifact.

import { copyFileSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { example, repoRoot, runCli, tempDir } from '../helpers/cli.js';
import { loadRecommender, historyOf } from '../../src/pipeline/recommend.js';

const fixture = path.join(repoRoot, 'test', 'fixtures', 'recommend');

function copyFixture(): string {
  const dir = tempDir('soma-rec-');
  for (const f of ['ratings.csv', 'items.csv', 'soma.yaml']) copyFileSync(path.join(fixture, f), path.join(dir, f));
  return dir;
}

interface TrainJson {
  version: string;
  path: string;
  metrics: Record<string, Record<string, number>>;
  gates: { metric: string; passed: boolean; note?: string }[];
}

describe('soma train with task: recommendation', () => {
  it('when explicit ratings are trained with mf, then the test split has rmse, mae and ranking metrics at evaluate.k, and the version holds the factors, catalogue and training matrix', async () => {
    const dir = copyFixture();
    const reg = path.join(dir, 'reg');
    const r = await runCli(['train', '-c', path.join(dir, 'soma.yaml'), '--registry', reg, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as TrainJson;
    const test = out.metrics['test']!;
    for (const m of ['rmse', 'mae', 'precision@3', 'recall@3', 'ndcg@3', 'map@3', 'hit_rate@3', 'coverage@3', 'diversity@3', 'novelty@3']) expect(test[m], m).toBeTypeOf('number');
    expect(test['rmse']!).toBeGreaterThan(0);
    expect(out.metrics['train']!['rmse']).toBeTypeOf('number');
    const metricsJson = JSON.parse(readFileSync(path.join(out.path, 'metrics.json'), 'utf8')) as { at_k: { split: string; values: Record<string, Record<string, number>> }; counts: Record<string, number> };
    expect(metricsJson.at_k.split).toBe('test');
    expect(Object.keys(metricsJson.at_k.values)).toEqual(['1', '3', '5', '10']);
    expect(metricsJson.at_k.values['3']!['ndcg']).toBe(test['ndcg@3']);
    // 12 users x 7 ratings: floor(0.2 x 7) = 1 test rating each.
    expect(metricsJson.counts['users']).toBe(12);
    expect(metricsJson.counts['items']).toBe(10);
    const meta = JSON.parse(readFileSync(path.join(out.path, 'metadata.json'), 'utf8')) as { task: string; artifacts: { path: string }[] };
    expect(meta.task).toBe('recommendation');
    const files = meta.artifacts.map((a) => a.path);
    for (const f of ['model/model.json', 'model/tensors.bin', 'model/catalog.json', 'model/interactions.bin', 'report.html', 'report.md']) expect(files).toContain(f);
    const html = readFileSync(path.join(out.path, 'report.html'), 'utf8');
    expect(html).toContain('Ranking metrics at several k');
    expect(html).toContain('Popularity of what is recommended');
    expect(html).toContain('Example lists');
    const md = readFileSync(path.join(out.path, 'report.md'), 'utf8');
    expect(md).toMatch(/### user 1\n\nhistory \(latest 5\): /);
  });

  it('when gates name ranking metrics, then absolute and alias-relative gates on ndcg@k are checked, and a failure registers nothing (exit 4)', async () => {
    const dir = copyFixture();
    const reg = path.join(dir, 'reg');
    const cfg = path.join(dir, 'soma.yaml');
    const first = await runCli(['train', '-c', cfg, '--registry', reg, '--json', '--set', 'evaluate.gates={ndcg@3: "> production", coverage@3: ">= 0"}']);
    expect(first.code, first.stderr).toBe(0);
    const gates = (first.json() as TrainJson).gates;
    expect(gates.map((g) => [g.metric, g.passed])).toEqual([['ndcg@3', true], ['coverage@3', true]]);
    expect(gates[0]!.note).toMatch(/no 'production' alias yet/);
    expect((await runCli(['models', 'promote', 'fixture-ratings@1.0.0', '--to', 'production', '--registry', reg])).code).toBe(0);
    const worse = await runCli(['train', '-c', cfg, '--registry', reg, '--set', 'evaluate.gates={ndcg@3: "> production + 1"}']);
    expect(worse.code).toBe(4);
    expect(worse.stderr).toMatch(/ndcg@3 > production \+ 1 = .*FAILED/);
    const listed = await runCli(['models', 'list', 'fixture-ratings', '--registry', reg, '--json']);
    expect((listed.json() as { versions: unknown[] }).versions).toHaveLength(1);
  });

  it('when the config names metrics or gates, then ndcg@10 validates and an unknown metric or k of 0 is a config error (exit 2)', async () => {
    const dir = copyFixture();
    const cfg = path.join(dir, 'soma.yaml');
    expect((await runCli(['validate', '-c', cfg, '--set', 'evaluate.gates={ndcg@10: ">= 0.1"}', '--set', 'evaluate.metrics=[rmse, ndcg@10, map@20]'])).code).toBe(0);
    const bad = await runCli(['validate', '-c', cfg, '--set', 'evaluate.gates={ndcg@0: ">= 0.1", nope@3: ">= 1"}']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/evaluate\.gates\.ndcg@0/);
    expect(bad.stderr).toMatch(/ndcg@K/);
    const noUser = await runCli(['validate', '-c', cfg, '--set', 'data.user=']);
    expect(noUser.code).toBe(0);
    writeFileSync(cfg, readFileSync(cfg, 'utf8').replace('  user: user\n', ''));
    const missing = await runCli(['validate', '-c', cfg]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/data\.user.*missing required key/);
  });

  it('when interactions repeat a pair or a rating is out of range, then they are combined with a warning, refused with data.duplicates: error, or refused naming the row (exit 3)', async () => {
    const dir = copyFixture();
    const reg = path.join(dir, 'reg');
    const cfg = path.join(dir, 'soma.yaml');
    const ratings = path.join(dir, 'ratings.csv');
    const text = readFileSync(ratings, 'utf8');
    writeFileSync(ratings, `${text}1,6,4.5,1600009999\n`);
    const combined = await runCli(['train', '-c', cfg, '--registry', reg]);
    expect(combined.code, combined.stderr).toBe(0);
    expect(combined.stderr).toMatch(/1 repeated \(user, item\) interaction was combined \(data\.duplicates: last\)/);
    const refused = await runCli(['train', '-c', cfg, '--registry', reg, '--set', 'data.duplicates=error']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/repeat the pair user 1, item 6/);
    writeFileSync(ratings, `${text}3,10,7,1600009999\n`);
    const range = await runCli(['train', '-c', cfg, '--registry', reg]);
    expect(range.code).toBe(3);
    expect(range.stderr).toMatch(/row 85: rating 7 of user 3, item 10 is outside data.rating_range \[0.5, 5\]/);
  });
});

describe('soma recommend', () => {
  async function trained(type = 'hybrid'): Promise<{ dir: string; reg: string }> {
    const dir = copyFixture();
    const reg = path.join(dir, 'reg');
    const params = type === 'hybrid' ? 'model.params={parts: [{type: mf, weight: 0.5, params: {factors: 4}}, {type: content, weight: 0.5}]}' : 'model.params={}';
    const r = await runCli(['train', '-c', path.join(dir, 'soma.yaml'), '--registry', reg, '--set', `model.type=${type}`, '--set', params]);
    expect(r.code, r.stderr).toBe(0);
    return { dir, reg };
  }

  it('when a known user asks, then the list has k unseen items, best first; an unknown user gets the popular items, flagged', async () => {
    const { reg } = await trained();
    const r = await runCli(['recommend', 'fixture-ratings', '--user', '4', '--k', '3', '--registry', reg, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as { lists: { user: string; items: { item: string; score: number }[]; fallback?: string; history: { item: string }[] }[]; unknown_users: number };
    const list = out.lists[0]!;
    expect(list.items).toHaveLength(3);
    const seen = new Set(list.history.map((h) => h.item));
    expect(seen.size).toBeGreaterThan(0);
    for (const it of list.items) expect(seen.has(it.item)).toBe(false);
    expect(list.items[0]!.score).toBeGreaterThanOrEqual(list.items[1]!.score);
    const m = await loadRecommender(reg, 'fixture-ratings');
    expect(historyOf(m, '4').map((h) => h.item).sort()).toEqual([...seen].sort());
    const unknown = await runCli(['recommend', 'fixture-ratings', '--user', 'nobody', '--k', '2', '--registry', reg, '--json']);
    expect(unknown.code).toBe(0);
    const u = unknown.json() as typeof out;
    expect(u.unknown_users).toBe(1);
    expect(u.lists[0]!.fallback).toBe('unknown_user');
    expect(u.lists[0]!.items).toHaveLength(2);
    const withSeen = await runCli(['recommend', 'fixture-ratings', '--user', '4', '--k', '10', '--no-exclude-seen', '--registry', reg, '--json']);
    expect((withSeen.json() as typeof out).lists[0]!.items.length).toBe(10);
  });

  it('when users come from a file, then the lists stream to the output as user, rank, item, score rows, and the hybrid can recommend the cold item', async () => {
    const { dir, reg } = await trained();
    const users = path.join(dir, 'users.csv');
    writeFileSync(users, 'user\n1\n2\nghost\n');
    const outFile = path.join(dir, 'lists.csv');
    const r = await runCli(['recommend', 'fixture-ratings', '--users', users, '--k', '4', '--output', outFile, '--registry', reg, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ users: 3, rows: 12, unknown_users: 1, empty_histories: 0 });
    const lines = readFileSync(outFile, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('user,rank,item,score');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['1,1', '1,2', '1,3', '1,4', '2,1', '2,2', '2,3', '2,4', 'ghost,1', 'ghost,2', 'ghost,3', 'ghost,4']);
    const all = await runCli(['recommend', 'fixture-ratings', '--all-users', '--k', '3', '--registry', reg, '--json']);
    const lists = (all.json() as { lists: { items: { item: string }[] }[] }).lists;
    expect(lists).toHaveLength(12);
    // Item 10 has attributes but no ratings: only the content part can rank it.
    expect(lists.some((l) => l.items.some((i) => i.item === '10'))).toBe(true);
  });

  it('when similar items are asked, then they exclude the item itself, and an unknown item is a data error naming it (exit 3)', async () => {
    const { reg } = await trained('content');
    const r = await runCli(['recommend', 'fixture-ratings', '--similar', '1', '--k', '3', '--registry', reg, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = (r.json() as { similar: { items: { item: string }[] } }).similar.items;
    expect(s).toHaveLength(3);
    expect(s.map((x) => x.item)).not.toContain('1');
    const bad = await runCli(['recommend', 'fixture-ratings', '--similar', 'zz', '--registry', reg]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/item "zz" is not in the model's catalog/);
    const none = await runCli(['recommend', 'fixture-ratings', '--registry', reg]);
    expect(none.code).toBe(2);
  });

  it('when an artifact is damaged, then soma recommend refuses the model with exit 6 naming the file', async () => {
    const { reg } = await trained('mf');
    const file = path.join(reg, 'fixture-ratings', 'versions', '1.0.0', 'model', 'tensors.bin');
    expect(existsSync(file)).toBe(true);
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(file, bytes);
    const r = await runCli(['recommend', 'fixture-ratings', '--user', '1', '--registry', reg]);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/tensors\.bin/);
  });

  it('when soma predict is given a recommender, then it says to use soma recommend (exit 2)', async () => {
    const { dir, reg } = await trained('popularity');
    const input = path.join(dir, 'pairs.csv');
    writeFileSync(input, 'user,item\n1,2\n');
    const r = await runCli(['predict', 'fixture-ratings', '--input', input, '--output', path.join(dir, 'p.csv'), '--registry', reg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/fixture-ratings_v1\.0\.0 is a recommendation model: it does not predict rows \(use soma recommend\)/);
  });

  it('when a tabular model is given, then soma recommend says it is not a recommender (exit 2)', async () => {
    const dir = tempDir('soma-rec-tab-');
    const reg = path.join(dir, 'reg');
    expect((await runCli(['train', '-c', example('penguins', 'soma.yaml'), '--registry', reg])).code).toBe(0);
    const r = await runCli(['recommend', 'penguins', '--user', '1', '--registry', reg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is a classification model, not a recommender/);
  });
});

describe('the README example (examples/routes)', () => {
  it('when the routes example trains, then implicit weighted feedback with airport attributes passes its ndcg@10 gate and beats popularity', async () => {
    const reg = path.join(tempDir('soma-routes-'), 'reg');
    const cfg = example('routes', 'soma.yaml');
    const hybrid = await runCli(['train', '-c', cfg, '--registry', reg, '--json']);
    expect(hybrid.code, hybrid.stderr).toBe(0);
    const pop = await runCli(['train', '-c', cfg, '--registry', reg, '--json', '--set', 'model.type=popularity', '--set', 'model.params={}']);
    expect(pop.code, pop.stderr).toBe(0);
    const h = (hybrid.json() as TrainJson).metrics['test']!;
    const p = (pop.json() as TrainJson).metrics['test']!;
    expect(h['ndcg@10']!).toBeGreaterThan(p['ndcg@10']!);
    expect(h['coverage@10']!).toBeGreaterThan(2 * p['coverage@10']!);
    expect(h['rmse']).toBeUndefined();
  });
});
