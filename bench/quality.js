#!/usr/bin/env node
// Defaults on small real data: soma's model families out of the box beside scikit-learn's at its
// defaults, on the same train and test files. bench/quality_anchor.py writes the splits (70/30,
// stratified for classification, random_state 0) of scikit-learn's, vega-datasets' and
// statsmodels' small sets and prints the anchors' test metric; then each soma family trains on the
// very same files through the real CLI with `model: {type: F}` and nothing else, and its test
// metric is read from `soma train --json`.
//
//   npx tsc -p . && node bench/quality.js [OUT_DIR] [--only digits,wine] [--families gbdt,mlp]
//                                          [--params '{"gbdt": {...}}']  (extra params per family)
//
// Prints one JSON line per (set, family) and a Markdown table; pass = soma >= anchor - margin
// (0.01 accuracy, 0.02 r2, the margins of issue #17). Quality only: timings here mean nothing.
// Not run by CI (the committed floors in test/pipeline/quality-floors.test.ts are).

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const dir = resolve(args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? 'bench/data/quality');
const only = opt('--only', '');
const families = opt('--families', '') ? opt('--families', '').split(',') : null;
const extraParams = JSON.parse(opt('--params', '{}'));
// e.g. '{train: 1, validation: 0, test: 0}': how the training file is split (default: soma's).
const split = opt('--split', '');
const MARGIN = { accuracy: 0.01, r2: 0.02 };

// --anchors FILE re-reads a previous run's anchor lines (the splits must already be in OUT_DIR).
const anchorFile = opt('--anchors', '');
const anchorOut = anchorFile
  ? readFileSync(anchorFile, 'utf8')
  : execFileSync('/usr/bin/python3', ['bench/quality_anchor.py', dir, ...(only ? ['--only', only] : [])], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
const anchors = anchorOut.trim().split('\n').map((l) => JSON.parse(l));

const registry = mkdtempSync(join(tmpdir(), 'soma-quality-'));
const rows = [];
try {
  for (const set of readdirSync(dir).sort()) {
    if (only && !only.split(',').includes(set)) continue;
    const meta = JSON.parse(readFileSync(join(dir, set, 'meta.json'), 'utf8'));
    for (const a of anchors.filter((x) => x.set === set)) {
      if (families && !families.includes(a.family)) continue;
      const params = extraParams[a.family];
      const config = join(dir, set, `soma-${a.family}.yaml`);
      writeFileSync(
        config,
        [
          `name: q-${set.replace(/_/g, '-')}-${a.family}`,
          `task: ${meta.task}`,
          'data:',
          '  train: train.csv',
          '  test: test.csv',
          `  target: ${JSON.stringify(meta.target)}`,
          ...(split ? [`  split: ${split}`] : []),
          'model:',
          `  type: ${a.family}`,
          ...(params ? [`  params: ${JSON.stringify(params)}`] : []),
          '',
        ].join('\n'),
      );
      const r = spawnSync('node', ['bin/soma.js', 'train', '-c', config, '--json', '--registry', registry, '--quiet'], { encoding: 'utf8', maxBuffer: 1 << 26 });
      let value = null;
      let error = null;
      if (r.status === 0) value = JSON.parse(r.stdout).metrics.test[meta.metric];
      else error = (r.stdout || r.stderr).trim().split('\n').slice(-1)[0];
      const diff = value === null ? null : value - a.value;
      const row = { set, rows: meta.rows, metric: meta.metric, family: a.family, soma: value, anchor: a.value, anchor_name: a.anchor, diff, pass: diff !== null && diff >= -MARGIN[meta.metric] - 1e-12, ...(error ? { error } : {}) };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  }
} finally {
  rmSync(registry, { recursive: true, force: true });
}

const f = (v) => (v === null ? 'error' : v.toFixed(4));
console.log('\n| set | rows | metric | family | soma | anchor | soma - anchor | within margin |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.set} | ${r.rows} | ${r.metric} | ${r.family} | ${f(r.soma)} | ${f(r.anchor)} (${r.anchor_name}) | ${r.diff === null ? '' : (r.diff >= 0 ? '+' : '') + r.diff.toFixed(4)} | ${r.pass ? 'yes' : '**no**'} |`);
}
const failed = rows.filter((r) => !r.pass);
console.log(`\n${rows.length - failed.length} of ${rows.length} within the margin`);
