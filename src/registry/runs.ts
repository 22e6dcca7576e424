// Audit records of batch prediction runs and the lock that keeps two runs off one output file.
//
// `<registry>/<name>/predictions.jsonl` sits in the model directory, not the immutable version
// directory, so a run of any version can be recorded without touching checksummed files. The
// output lock is `<output>.lock` next to the output: two overlapping cron runs on one path then
// run one after the other (the second waits, then gives up with REGISTRY_LOCKED naming the
// holder), and neither can rename its result over the other's half-way.

import { refuseLinks } from './no-links.js';
import { appendFile, mkdir, readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

import type { JsonObject } from '../util/json.js';
import { pidAlive, withLock } from './lock.js';
import { normalizeModelName } from './ref.js';
import { currentUser } from './events.js';
import type { Registry } from './store.js';

export interface PredictionRun {
  at: string;
  version: string;
  id: string;
  ref: string;
  input: string;
  output: string;
  rows: number;
  seconds: number;
  workers: number;
}

const RUNS_FILE = 'predictions.jsonl';

/** Appends one run record (with user and host) to the model's predictions.jsonl. */
export async function appendPredictionRun(registry: Registry, name: string, run: PredictionRun): Promise<void> {
  const dir = registry.modelDir(normalizeModelName(name));
  await refuseLinks(registry.root, join(dir, RUNS_FILE));
  await mkdir(dir, { recursive: true });
  const line: JsonObject = { ...run, user: currentUser(), host: hostname(), pid: process.pid };
  // One short O_APPEND write per run: concurrent runs' lines do not interleave on a local disk.
  await appendFile(join(dir, RUNS_FILE), JSON.stringify(line) + '\n', { flag: 'a' });
}

/** The lock file guarding an output path. */
function outputLockPath(output: string): string {
  return `${output}.lock`;
}

/**
 * Runs `fn` holding `<output>.lock`. Waits up to `timeoutMs` for another run to finish, then
 * throws REGISTRY_LOCKED (exit 6) naming the holder's pid, host, start time and command. A lock
 * left by a dead process on this host is cleared. No age limit: a prediction may run for hours.
 */
export async function withOutputLock<T>(output: string, fn: () => Promise<T>, options: { timeoutMs: number; command?: string; onNotice?: (m: string) => void }): Promise<T> {
  const notice = options.onNotice;
  return withLock(outputLockPath(output), fn, {
    timeoutMs: options.timeoutMs,
    ...(options.command !== undefined ? { command: options.command } : {}),
    ...(notice ? { onStale: (info) => notice(`cleared a stale output lock ${info.path} (${info.reason})`) } : {}),
  });
}

/**
 * Removes what killed runs left beside `output`: the writer's `.<name>.tmp-<pid>-<hex>` and the
 * output lock's `.<name>.lock.new-<pid>-<hex>`, once their process is gone (a live pid may still
 * be writing). Returns the paths removed.
 */
export async function sweepStaleOutputTemps(output: string): Promise<string[]> {
  const dir = dirname(resolve(output));
  const name = basename(output).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^\\.${name}\\.(?:tmp|lock\\.new)-(\\d+)-[0-9a-f]+$`);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const e of entries) {
    const m = re.exec(e);
    if (!m || pidAlive(Number(m[1]))) continue;
    await rm(join(dir, e), { force: true });
    removed.push(join(dir, e));
  }
  return removed;
}
