// Shared studies end to end: real `soma tune` processes (bin/soma.js; build first) on one study
// in a real PostgreSQL (scripts/test-services.sh), one SIGKILLed mid-trial; resume and train
// against the storage; and what a bad server, bad credentials or a newer schema say.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { example, repoRoot, runCli, tempDir } from '../helpers/cli.js';
import { dropDatabase, freshDatabase, pgUrlForTests, query } from '../helpers/services.js';

const server = pgUrlForTests(import.meta.filename);

interface TuneJson {
  study: string;
  best: { number: number; params: Record<string, unknown>; score: number };
  trials: { number: number; params: Record<string, unknown>; score: number | null; state: string }[];
  replayed: number;
  interrupted: number;
  journal: string;
}

const TRIALS = 16;

function writeConfig(dir: string, extra = ''): string {
  const file = path.join(dir, 'soma.yaml');
  writeFileSync(
    file,
    `name: peng
seed: 1
data:
  source: ${example('penguins', 'penguins.csv')}
  target: Species
preprocess:
  - impute: {columns: numeric, strategy: median}
model:
  type: gbdt
  params: {n_estimators: 30}
search:
  method: bayesian
  trials: ${TRIALS}
  startup: 4
  metric: log_loss
  cv: {folds: 3}
  heartbeat_timeout: 2
  space:
    max_depth: {int: [2, 6]}
    learning_rate: {loguniform: [0.01, 0.5]}
${extra}`,
  );
  return file;
}

/** A `soma tune` process; its stdout collected for the --json document. */
function tuneProcess(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'soma.js'), 'tune', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const view = (j: TuneJson): unknown => j.trials.map((t) => [t.number, t.params, t.score, t.state]);

describe.skipIf(!server)('soma tune on a shared study (PostgreSQL)', () => {
  let db: string;
  beforeAll(async () => {
    db = await freshDatabase(server!);
    // The tables exist before the processes start, so the test can watch them from the first trial.
    expect((await runCli(['db', 'init', '--storage', db])).code).toBe(0);
  });
  afterAll(async () => {
    if (db) await dropDatabase(server!, db);
  });

  it('when three processes work on one study and one is SIGKILLed mid-trial, then its trial is requeued and rerun by another, every trial finishes exactly once, and the survivors report what a local run gives', async () => {
    const dir = tempDir();
    const cfg = writeConfig(dir);
    const args = ['-c', cfg, '--runs-dir', path.join(dir, 'runs'), '--study', 'crash', '--storage', db, '--json'];
    const procs = [tuneProcess(args), tuneProcess(args), tuneProcess(args)];
    const victim = procs[1]!;
    const victimWorker = `%:${victim.child.pid}:%`;
    // Kill it while it holds a running trial, once the study is under way.
    let held: { trial: number }[] = [];
    const t0 = Date.now();
    for (;;) {
      const finished = await query<{ n: string }>(db, `SELECT count(*) AS n FROM soma_trial_events WHERE event = 'finished'`);
      held = await query<{ trial: number }>(db, `SELECT trial FROM soma_trials WHERE worker LIKE $1 AND state = 'running'`, [victimWorker]);
      if (Number(finished[0]!.n) >= 3 && held.length > 0) break;
      if (Date.now() - t0 > 60_000) throw new Error('the study never got under way');
      await sleep(5);
    }
    victim.child.kill('SIGKILL');
    const killed = await victim.done;
    expect(killed.signal).toBe('SIGKILL');
    // What the dead process held at its death (a dead process changes nothing after).
    held = await query<{ trial: number }>(db, `SELECT trial FROM soma_trials WHERE worker LIKE $1 AND state = 'running'`, [victimWorker]);
    expect(held.length).toBeGreaterThan(0);

    const outs = await Promise.all([procs[0]!.done, procs[2]!.done]);
    for (const o of outs) expect(o.code, o.stderr).toBe(0);
    const [a, b] = outs.map((o) => JSON.parse(o.stdout) as TuneJson);

    const events = await query<{ trial: number; event: string; worker: string }>(db, `SELECT trial, event, worker FROM soma_trial_events ORDER BY id`);
    const finishedTrials = events.filter((e) => e.event === 'finished').map((e) => e.trial);
    expect([...finishedTrials].sort((x, y) => x - y)).toEqual(Array.from({ length: TRIALS }, (_, i) => i));
    for (const h of held) {
      const mine = events.filter((e) => e.trial === h.trial);
      expect(mine.some((e) => e.event === 'requeued' && e.worker.includes(`:${victim.child.pid}:`))).toBe(true);
      expect(mine.find((e) => e.event === 'finished')!.worker).not.toContain(`:${victim.child.pid}:`);
    }
    const rows = await query<{ state: string; n: string }>(db, `SELECT state, count(*) AS n FROM soma_trials GROUP BY state`);
    expect(rows.map((r) => [r.state, Number(r.n)])).toEqual([['complete', TRIALS]]);
    // The takeover is reported by whoever made it (a live worker starved of CPU for longer than
    // the timeout may be taken for dead too: more takeovers, still each trial counted once).
    expect(a!.interrupted + b!.interrupted).toBeGreaterThanOrEqual(held.length);

    const local = await runCli(['tune', '-c', cfg, '--runs-dir', path.join(dir, 'runs'), '--study', 'local', '--json']);
    expect(local.code).toBe(0);
    const l = local.json() as TuneJson;
    // Byte for byte (params keep their key order through the database).
    expect(JSON.stringify(view(a!))).toBe(JSON.stringify(view(l)));
    expect(JSON.stringify(view(b!))).toBe(JSON.stringify(view(l)));
    expect(a!.best).toEqual(l.best);
    expect(a!.journal).toBe(`${db.replace(/:[^:@/]+@/, ':***@')}#crash`);

    // A bare --resume continues the storage's latest study: everything is replayed, nothing rerun.
    const resumed = await runCli(['tune', '-c', cfg, '--runs-dir', path.join(dir, 'runs'), '--storage', db, '--resume', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const r = resumed.json() as TuneJson;
    expect(r.study).toBe('crash');
    expect(r.replayed).toBe(TRIALS);
    expect(view(r)).toEqual(view(l));
  });

  it('when soma train has search.storage, then the search runs on the shared study and the version records it', async () => {
    const dir = tempDir();
    const cfg = writeConfig(dir, `  storage: ${db}\n  study: trained\n`);
    const reg = path.join(dir, 'registry');
    const r = await runCli(['train', '-c', cfg, '--set', 'search.trials=5', '--runs-dir', path.join(dir, 'runs'), '--registry', reg, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as { path: string };
    const search = JSON.parse(readFileSync(path.join(out.path, 'search.json'), 'utf8')) as TuneJson;
    expect(search.study).toBe('trained');
    expect(search.trials).toHaveLength(5);
    expect(search.journal).toMatch(/^postgresql:\/\/soma:\*\*\*@127\.0\.0\.1:\d+\/soma_t_[0-9a-f]+#trained$/);
    const rows = await query<{ n: string }>(db, `SELECT count(*) AS n FROM soma_trials t JOIN soma_studies s ON s.id = t.study_id WHERE s.name = 'trained' AND t.state = 'complete'`);
    expect(Number(rows[0]!.n)).toBe(5);
  });
});

describe.skipIf(!server)('bad shared-study configuration', () => {
  const dir = tempDir();
  const cfg = writeConfig(dir);
  const password = new URL(server ?? 'postgresql://x@y/z').password;
  const tune = (storage: string): ReturnType<typeof runCli> => runCli(['tune', '-c', cfg, '--runs-dir', path.join(dir, 'runs'), '--storage', storage, '--json']);
  const error = (r: Awaited<ReturnType<typeof runCli>>): { code: string; exitCode: number; message: string; hint?: string } => (r.json() as { error: { code: string; exitCode: number; message: string; hint?: string } }).error;

  it('when the server is unreachable, then exit 7 (STORAGE_UNREACHABLE) naming the URL without its password', async () => {
    const r = await tune('postgresql://soma:sekret-pw@127.0.0.1:1/soma');
    expect(r.code).toBe(7);
    const e = error(r);
    expect(e.code).toBe('STORAGE_UNREACHABLE');
    expect(e.message).toContain('postgresql://soma:***@127.0.0.1:1/soma');
    expect(e.hint).toMatch(/server runs/);
    expect(r.stdout + r.stderr).not.toContain('sekret-pw');
  });

  it('when the password is wrong, then exit 7 (STORAGE_AUTH) naming the URL and neither password', async () => {
    const u = new URL(server!);
    u.password = 'wrong-pw';
    const r = await tune(u.toString());
    expect(r.code).toBe(7);
    const e = error(r);
    expect(e.code).toBe('STORAGE_AUTH');
    expect(e.message).toContain(`postgresql://soma:***@${u.host}/`);
    expect(r.stdout + r.stderr).not.toContain('wrong-pw');
    expect(r.stdout + r.stderr).not.toContain(password);
  });

  it('when the tables are from a newer soma, then exit 7 (STORAGE_SCHEMA) saying to upgrade, and soma db init refuses it too', async () => {
    const db = await freshDatabase(server!);
    try {
      const init = await runCli(['db', 'init', '--storage', db, '--json']);
      expect(init.code).toBe(0);
      expect(init.json()).toEqual({ storage: db.replace(`:${password}@`, ':***@'), schema_version: 1, migrated_from: 0 });
      const again = await runCli(['db', 'init', '--storage', db, '--json']);
      expect((again.json() as { migrated_from: number }).migrated_from).toBe(1);
      await query(db, `UPDATE soma_meta SET value = '2' WHERE key = 'schema_version'`);
      const r = await tune(db);
      expect(r.code).toBe(7);
      const e = error(r);
      expect(e.code).toBe('STORAGE_SCHEMA');
      expect(e.message).toMatch(/schema version 2, newer than this soma knows \(1\)/);
      expect(e.hint).toMatch(/upgrade soma/);
      expect(r.stdout + r.stderr).not.toContain(password);
      expect((await runCli(['db', 'init', '--storage', db, '--json'])).code).toBe(7);
    } finally {
      await dropDatabase(server!, db);
    }
  });

  it('when the storage is not a PostgreSQL URL, then exit 2 naming the flag', async () => {
    const r = await tune('mysql://root:pw@localhost/x');
    expect(r.code).toBe(2);
    expect(error(r).message).toMatch(/^--storage: mysql:\/\/root:\*\*\*@localhost\/x is not a storage soma knows/);
  });
});
