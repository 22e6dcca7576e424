// The status line of `soma train` on a terminal: every phase says what it does (and for how long),
// loops show a bar, and nothing of it reaches a pipe or --json.

import { describe, expect, it } from 'vitest';
import { example, runCli, tempDir } from '../helpers/cli.js';

/** The frames drawn in place, in order, without the clear-line codes. */
function frames(stderr: string): string[] {
  return stderr.split('\r').map((f) => f.replace('\x1b[2K', '')).filter((f) => f.trim() !== '');
}

describe('train status line', () => {
  it('when train runs on a terminal, then loading, scoring, permutation importance, reports and registering are shown in order', async () => {
    const registry = tempDir('soma-phase-');
    const r = await runCli(['train', '-c', example('penguins', 'soma.yaml'), '--registry', registry, '--set', 'model.type=logistic', '--set', 'evaluate.gates={}'], { isTTY: true });
    expect(r.code, r.stderr).toBe(0);
    const shown = frames(r.stderr);
    const first = (re: RegExp): number => shown.findIndex((f) => re.test(f));
    const order = [/^loading data \d+\.\d s/, /^preprocessing \d+\.\d s/, /^fitting \d+\.\d s/, /^scoring the training split/, /^scoring the test split/, /^permutation importance [█░]{24} 1\/\d+ \d+\.\d s/, /^profiling the training data/, /^writing reports/, /^registering/];
    const at = order.map(first);
    expect(at.every((i) => i >= 0), `frames: ${JSON.stringify(shown.slice(0, 40))}`).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // The last bar frame of the loop is always drawn: every feature done.
    expect(shown.some((f) => /^permutation importance █{24} (\d+)\/\1 /.test(f))).toBe(true);
    // The line is cleared before the result is printed.
    expect(r.stderr).toMatch(/\r\x1b\[2K(\x1b\[\d+m)?✓(\x1b\[\d+m)? registered/);
  });

  it('when output is piped or --json, then no status line is drawn', async () => {
    const registry = tempDir('soma-phase-');
    const piped = await runCli(['train', '-c', example('penguins', 'soma.yaml'), '--registry', registry, '--set', 'model.type=logistic', '--set', 'evaluate.gates={}']);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stderr).not.toMatch(/loading data|permutation importance|\r/);
    const json = await runCli(['train', '-c', example('penguins', 'soma.yaml'), '--registry', registry, '--set', 'model.type=logistic', '--set', 'evaluate.gates={}', '--json'], { isTTY: true });
    expect(json.code, json.stderr).toBe(0);
    expect(json.stderr).not.toMatch(/loading data|\r/);
  });
});
