#!/usr/bin/env node
// `npm run bench [-- NAME...]`: builds, makes the standard data sets if bench/data lacks them, then
// runs each benchmark (soma and its anchor side by side, one JSON line per figure) in turn, never
// two at once, since they share the machine's 2 cores. Names: preprocess, text, linear, tree, regression-spread, regression-curve, mlp,
// search, predict (default: all). Results are copied by hand into bench/RESULTS.md with the date.
// Not run by CI.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const ALL = ['preprocess', 'text', 'linear', 'tree', 'regression-spread', 'regression-curve', 'mlp', 'search', 'predict', 'serve'];
const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ALL;
for (const n of names) {
  if (!ALL.includes(n)) {
    console.error(`unknown benchmark ${n} (expected one of ${ALL.join(', ')})`);
    process.exit(2);
  }
}
const run = (cmd, args) => {
  console.error(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

run('npx', ['tsc', '-p', '.']);
if (!existsSync('bench/data/synth_binary.csv')) run('/usr/bin/python3', ['../shared/bench/make_data.py', 'bench/data']);
for (const n of names) run('node', [`bench/${n}.js`, ...(n === 'search' ? [] : ['bench/data'])]);
