#!/usr/bin/env node
// Drift: `soma drift` beside ../shared/bench/drift_anchor.py (Evidently's default data-drift
// preset with pandas + scipy) on make_drift_data.py's reference.csv and current.csv (1,000,000
// rows x 100 columns by default: 80 numeric, 20 categorical; 10 means shifted, 5 variances
// scaled, 5 category mixes changed).
//
//   npm run build && node bench/drift.js [DATA_DIR] [--rows N] [--cols C] [--big DIR_10M] [--skip-anchor]
//
// DATA_DIR (default bench/data/drift) is written by make_drift_data.py when it has no
// reference.csv (about 3.5 min at 1M rows). Every run is under /usr/bin/time -v (wall time, peak RSS):
// 1. the anchor on the two files;
// 2. `soma drift --reference reference.csv --data current.csv --json`: the decision on every
//    column the anchor decides must be the same, wall time <= 1/10 of the anchor's, peak <= 500 MB;
// 3. against a stored reference profile: a small model (decision tree on the last categorical column, cat19) trained on the
//    first 100,000 rows of reference.csv, then `soma drift MODEL --data current.csv`: <= 5 s;
// 4. with --big DIR (make_drift_data.py DIR --rows 10000000): both soma runs again, peak RSS
//    within 1.2x of the 1M runs'.
// One JSON line per run, then one per target with its verdict. Times mean something only on a
// quiet machine.

import { spawnSync, execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const soma = join(repo, 'bin', 'soma.js');
const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const dir = resolve(args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? join(repo, 'bench/data/drift'));
const big = opt('--big', undefined);
const shared = [process.env.SOMA_SHARED, join(repo, '../shared'), join(repo, '../../shared')].find((d) => d && existsSync(join(d, 'bench', 'drift_anchor.py')));
if (!shared) throw new Error('cannot find shared/bench/drift_anchor.py (set SOMA_SHARED to the shared directory)');
const emit = (o) => console.log(JSON.stringify(o));
const base = { date: new Date().toISOString().slice(0, 10), node: process.version };

function ensureData(d, rows) {
  if (existsSync(join(d, 'reference.csv'))) return;
  mkdirSync(d, { recursive: true });
  const extra = [...(rows ? ['--rows', String(rows)] : []), ...(opt('--cols') ? ['--cols', opt('--cols')] : [])];
  execFileSync('/usr/bin/python3', [join(shared, 'bench/make_drift_data.py'), d, ...extra], { stdio: 'inherit' });
}

/** A command under /usr/bin/time -v: its stdout, exit code, wall seconds and peak RSS (MB). */
function timed(cmd) {
  const r = spawnSync('/usr/bin/time', ['-v', ...cmd], { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 28 });
  const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr);
  const wallS = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status, wall_s: Math.round(wallS * 100) / 100, peak_rss_mb: Math.round(rssKb / 1024) };
}

function somaDrift(extra, what) {
  const r = timed(['node', soma, 'drift', ...extra, '--json']);
  if (r.status !== 0 && r.status !== 5) throw new Error(`soma drift (${what}) failed (${r.status}):\n${r.stderr}`);
  const out = JSON.parse(r.stdout);
  emit({ ...base, task: `drift_${what}`, system: 'soma', rows: out.rows, columns: out.tested_columns, drifted: out.drifted_columns.length, share: out.share, dataset_drift: out.dataset_drift, exit: r.status, soma_s: out.seconds, wall_s: r.wall_s, peak_rss_mb: r.peak_rss_mb });
  return { ...r, out };
}

/** The first `rows` lines of a CSV (header included) into `out`. */
async function head(src, out, rows) {
  const w = createWriteStream(out);
  const rl = createInterface({ input: createReadStream(src) });
  let n = 0;
  for await (const line of rl) {
    w.write(`${line}\n`);
    if (++n > rows) break;
  }
  rl.close();
  await new Promise((ok) => w.end(ok));
}

async function headerOf(file) {
  const rl = createInterface({ input: createReadStream(file) });
  for await (const line of rl) {
    rl.close();
    return line.split(',');
  }
  return [];
}

ensureData(dir, opt('--rows'));
const ref = join(dir, 'reference.csv');
const cur = join(dir, 'current.csv');
const work = mkdtempSync(join(tmpdir(), 'soma-drift-bench-'));
try {
  // 1. The anchor.
  let anchor;
  if (!args.includes('--skip-anchor')) {
    const a = timed(['/usr/bin/python3', join(shared, 'bench/drift_anchor.py'), ref, cur]);
    if (a.status !== 0) throw new Error(`drift_anchor.py failed (${a.status}):\n${a.stderr}`);
    const lines = a.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const summary = lines.find((l) => l.summary);
    anchor = { columns: new Map(lines.filter((l) => !l.summary && l.drift !== null && l.drift !== undefined).map((l) => [l.column, l])), wall_s: a.wall_s, peak_rss_mb: a.peak_rss_mb };
    emit({ ...base, task: 'drift_files', side: 'anchor', ...summary, wall_s: a.wall_s, peak_rss_mb: a.peak_rss_mb });
  }

  // 2. Two files.
  const files = somaDrift(['--reference', ref, '--data', cur], 'files');
  if (anchor) {
    const disagree = [];
    for (const [column, a] of anchor.columns) {
      const s = files.out.columns.find((c) => c.column === column);
      if (!s || !s.tested || s.drift !== a.drift || s.method.replace('chi2', 'chisquare').replace('ztest', 'z') !== a.test) disagree.push({ column, anchor: { test: a.test, drift: a.drift, value: a.p_value ?? a.distance }, soma: s ? { test: s.method, drift: s.drift, value: s.p_value ?? s.statistic } : null });
    }
    emit({ ...base, task: 'drift_files_target', same_decisions: disagree.length === 0, columns: anchor.columns.size, disagree, time_ratio: Math.round((files.wall_s / anchor.wall_s) * 1000) / 1000, time_limit: 0.1, peak_rss_mb: files.peak_rss_mb, rss_limit_mb: 500 });
  }

  // 3. Against a stored profile.
  const train = join(work, 'train.csv');
  await head(ref, train, 100_000);
  const cfg = join(work, 'drift.yaml');
  // The last categorical column is the target (cat19 at the default 100 columns).
  const target = (await headerOf(ref)).filter((c) => c.startsWith('cat')).pop();
  writeFileSync(cfg, `${JSON.stringify({ name: 'bench-drift', task: 'classification', seed: 1, data: { source: train, target, split: { train: 0.8, validation: 0.1, test: 0.1 } }, model: { type: 'decision_tree', params: { max_depth: 4 } } })}\n`);
  const registry = join(work, 'registry');
  const t = spawnSync('node', [soma, 'train', '-c', cfg, '--registry', registry, '--json'], { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (t.status !== 0) throw new Error(`soma train failed (${t.status}):\n${t.stderr}`);
  const profile = somaDrift(['bench-drift', '--data', cur, '--registry', registry], 'profile');
  emit({ ...base, task: 'drift_profile_target', wall_s: profile.wall_s, limit_s: 5, peak_rss_mb: profile.peak_rss_mb });

  // 4. Memory flat in the file's size.
  if (big) {
    ensureData(resolve(big), 10_000_000);
    const bigFiles = somaDrift(['--reference', join(big, 'reference.csv'), '--data', join(big, 'current.csv')], 'files_big');
    const bigProfile = somaDrift(['bench-drift', '--data', join(big, 'current.csv'), '--registry', registry], 'profile_big');
    emit({ ...base, task: 'drift_memory_target', files_rss_ratio: Math.round((bigFiles.peak_rss_mb / files.peak_rss_mb) * 100) / 100, profile_rss_ratio: Math.round((bigProfile.peak_rss_mb / profile.peak_rss_mb) * 100) / 100, limit: 1.2 });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
