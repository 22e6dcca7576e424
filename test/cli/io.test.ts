// The CLI's injectable view of the process: interrupts are subscribed only while a command runs,
// and an in-process caller can deliver its own.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { processIO, type CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { example, tempDir } from '../helpers/cli.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const listenerCounts = (): number[] => SIGNALS.map((s) => process.listenerCount(s));

describe('processIO', () => {
  it('when a command subscribes to interrupts, then SIGINT, SIGTERM and SIGHUP get one listener each until it unsubscribes', () => {
    const io = processIO();
    const before = listenerCounts();
    const off = io.onInterrupt!(() => {});
    expect(listenerCounts()).toEqual(before.map((n) => n + 1));
    off();
    expect(listenerCounts()).toEqual(before);
  });

  it('when process.env changes after the IO is built, then the command still sees the environment it started with', () => {
    const saved = process.env['SOMA_RUNS'];
    process.env['SOMA_RUNS'] = '/first';
    try {
      const io = processIO();
      process.env['SOMA_RUNS'] = '/second';
      expect(io.env['SOMA_RUNS']).toBe('/first');
    } finally {
      if (saved === undefined) delete process.env['SOMA_RUNS'];
      else process.env['SOMA_RUNS'] = saved;
    }
  });
});

describe('interrupting a command in-process', () => {
  it('when the injected interrupt fires as tune starts, then it exits ABORTED with a resume hint and its subscription is released', async () => {
    const dir = tempDir();
    const cfg = path.join(dir, 'soma.yaml');
    writeFileSync(
      cfg,
      `name: peng\nseed: 1\ndata:\n  source: ${example('penguins', 'penguins.csv')}\n  target: Species\nmodel:\n  type: logistic\nsearch:\n  method: random\n  trials: 3\n  cv: {folds: 2}\n  space:\n    alpha: {loguniform: [0.01, 1]}\n`,
    );
    let stdout = '';
    let subscribed = 0;
    let released = 0;
    const io: CliIO = {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: () => true },
      isTTY: false,
      env: {},
      cwd: dir,
      onInterrupt: (handler) => {
        subscribed++;
        handler('SIGTERM');
        return () => void released++;
      },
    };
    const before = listenerCounts();
    const code = await main(['tune', '-c', 'soma.yaml', '--runs-dir', 'runs', '--json'], io);
    const error = (JSON.parse(stdout) as { error: { code: string; hint: string } }).error;
    expect(code).toBe(1);
    expect(error.code).toBe('ABORTED');
    expect(error.hint).toBe('soma tune -c soma.yaml --resume');
    expect([subscribed, released]).toEqual([1, 1]);
    expect(listenerCounts()).toEqual(before);
  });
});
