// Headless Chromium for the report rendering tests: find the binary, dump a page's DOM after
// load, take a screenshot, and list every sub-resource the page tried to load.

import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { it } from 'vitest';

/** CHROMIUM_BIN, else the first of chromium / chromium-browser / google-chrome on PATH. */
export function findChromium(): string | undefined {
  const explicit = process.env['CHROMIUM_BIN'];
  if (explicit) return explicit;
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
      const file = path.join(dir, name);
      try {
        accessSync(file, constants.X_OK);
        return file;
      } catch {
        // not here; keep looking
      }
    }
  }
  return undefined;
}

/**
 * The Chromium a test file renders with, or undefined to skip its rendering tests. Missing in CI
 * (CI set; .ci/run installs Debian's chromium) is a failure: the file gets a failing test saying
 * so. Elsewhere the rendering tests are skipped, with a warning naming the file and the fix.
 */
export function chromiumForTests(testFile: string): string | undefined {
  const bin = findChromium();
  if (bin) return bin;
  const why = `no chromium on PATH or in CHROMIUM_BIN (install Debian's chromium: apt-get install -y chromium)`;
  if (process.env['CI']) {
    it('Chromium is installed (CI requires it for the report rendering tests)', () => {
      throw new Error(`${path.basename(testFile)}: ${why}`);
    });
  } else {
    console.warn(`${path.basename(testFile)}: the Chromium rendering tests are SKIPPED: ${why}`);
  }
  return undefined;
}

export interface RenderResult {
  /** The DOM after load, serialised. */
  dom: string;
  /** URLs other than the page itself that Chromium started to load (file or network). */
  loads: string[];
}

function run(bin: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${bin} failed: ${err.message}\n${stderr.slice(-2000)}`));
      else resolve({ stdout, stderr });
    });
  });
}

function baseArgs(profile: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    `--user-data-dir=${profile}`,
  ];
}

/**
 * Loads `file` and returns its DOM. With verbose logging Chromium logs every file it opens
 * (FileURLLoader) and every network request it starts (URLLoader / url_request lines naming an
 * http(s) URL); any such URL other than the page is a resource a self-contained page should not need.
 */
export async function renderPage(bin: string, file: string): Promise<RenderResult> {
  const profile = mkdtempSync(path.join(tmpdir(), 'soma-chromium-'));
  try {
    const url = pathToFileURL(file).href;
    const { stdout, stderr } = await run(bin, [...baseArgs(profile), '--enable-logging=stderr', '--v=1', '--dump-dom', url]);
    const loads = new Set<string>();
    for (const line of stderr.split('\n')) {
      const m = /FileURLLoader::Start: (\S+)/.exec(line);
      if (m && m[1] !== url) loads.add(m[1]!);
      if (/Failed to load resource|ERR_BLOCKED_BY|Refused to (load|apply|execute)/.test(line)) loads.add(line.trim());
    }
    return { dom: stdout, loads: [...loads] };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

export async function screenshot(bin: string, file: string, out: string, size = '1280,3000'): Promise<void> {
  const profile = mkdtempSync(path.join(tmpdir(), 'soma-chromium-'));
  try {
    await run(bin, [...baseArgs(profile), `--window-size=${size}`, '--hide-scrollbars', `--screenshot=${out}`, pathToFileURL(file).href]);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
