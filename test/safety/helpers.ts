// The safety suite runs the real CLI as a child process (`node bin/soma.js`, built dist/), on real
// files in temporary directories, so exit codes, signals and file effects are what a user sees.

import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { repoRoot, tempDir } from '../helpers/cli.js';

export const bin = path.join(repoRoot, 'bin', 'soma.js');
export const penguinsCsv = path.join(repoRoot, 'examples', 'penguins', 'penguins.csv');
export const penguinsYaml = path.join(repoRoot, 'examples', 'penguins', 'soma.yaml');

export interface Run {
  code: number;
  signal: string | undefined;
  stdout: string;
  stderr: string;
}

/** Runs `soma ARGS` to its end (a generous timeout turns a hang into a failed test, not a stuck run). */
export async function soma(args: string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number; input?: string } = {}): Promise<Run> {
  const r = await execa('node', [bin, ...args], {
    reject: false,
    cwd: options.cwd ?? repoRoot,
    env: { NO_COLOR: '1', SOMA_REGISTRY: '', ...options.env },
    timeout: options.timeoutMs ?? 120_000,
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
  });
  return { code: r.exitCode ?? -1, signal: r.signal ?? undefined, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Starts `soma ARGS` without waiting, for tests that signal it. */
export function somaChild(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): ResultPromise<{ reject: false }> {
  return execa('node', [bin, ...args], {
    reject: false,
    cwd: options.cwd ?? repoRoot,
    env: { NO_COLOR: '1', SOMA_REGISTRY: '', ...options.env },
    stdin: 'ignore',
    timeout: 180_000,
  }) as ResultPromise<{ reject: false }>;
}

/** A directory holding a copy of the penguins example (config and CSV). */
export function penguinsProject(prefix = 'soma-safety-'): string {
  const dir = tempDir(prefix);
  cpSync(path.dirname(penguinsYaml), dir, { recursive: true });
  mkdirSync(path.join(dir, 'out'), { recursive: true });
  return dir;
}

/** Trains penguins once into `registry` (a real `soma train`); throws with its stderr on failure. */
export async function trainPenguins(dir: string, registry: string, extra: string[] = []): Promise<Run> {
  const r = await soma(['train', '-c', path.join(dir, 'soma.yaml'), '--registry', registry, ...extra], { cwd: dir });
  if (r.code !== 0) throw new Error(`train failed (${r.code}): ${r.stderr}`);
  return r;
}
