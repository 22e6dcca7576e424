// Runs the CLI in-process with captured output (commander's exitOverride keeps it from exiting).

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const example = (...parts: string[]): string => path.join(repoRoot, 'examples', ...parts);

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  json: () => unknown;
}

export function tempDir(prefix = 'soma-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export async function runCli(args: string[], options: { cwd?: string; env?: Record<string, string>; isTTY?: boolean } = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    isTTY: options.isTTY ?? false,
    env: { ...options.env },
    cwd: options.cwd ?? repoRoot,
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) as unknown };
}
