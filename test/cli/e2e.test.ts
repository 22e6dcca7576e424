// The real `bin/soma.js` in a child process, through train -> models list -> evaluate -> predict
// on the penguins example, checking the files it wrote and their checksums. Needs `dist/`
// (`npm test` builds it first).

import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { example, repoRoot, tempDir } from '../helpers/cli.js';

const bin = path.join(repoRoot, 'bin', 'soma.js');
const soma = (args: string[], env: Record<string, string>) => execa('node', [bin, ...args], { cwd: repoRoot, env, reject: false });

describe('bin/soma.js end to end', () => {
  it('when a newcomer runs the quick start, then a model is trained, registered as 1.0.0, evaluated and used for prediction', async () => {
    const registry = tempDir('soma-e2e-');
    const env = { SOMA_REGISTRY: registry };

    const trained = await soma(['train', '-c', 'examples/penguins/soma.yaml', '--json'], env);
    expect(trained.exitCode, trained.stderr).toBe(0);
    const t = JSON.parse(trained.stdout) as { name: string; version: string; path: string };
    expect(t).toMatchObject({ name: 'penguins', version: '1.0.0' });
    expect(t.path).toBe(path.join(registry, 'penguins', 'versions', '1.0.0'));

    // Every artifact listed in metadata exists with the recorded size and sha256.
    const meta = JSON.parse(readFileSync(path.join(t.path, 'metadata.json'), 'utf8')) as { artifacts: { path: string; bytes: number; sha256: string }[] };
    expect(meta.artifacts.map((a) => a.path).sort()).toEqual(['config.yaml', 'features.json', 'metrics.json', 'model/model.json', 'preprocess.json', 'profile.json', 'report.html', 'report.md']);
    for (const a of meta.artifacts) {
      const bytes = readFileSync(path.join(t.path, a.path));
      expect(bytes.length, a.path).toBe(a.bytes);
      expect(createHash('sha256').update(bytes).digest('hex'), a.path).toBe(a.sha256);
    }
    expect(JSON.parse(readFileSync(path.join(registry, 'penguins', 'events.jsonl'), 'utf8').trim())).toMatchObject({ event: 'registered', version: '1.0.0' });

    const listed = await soma(['models', 'list', '--json'], env);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({ models: [{ name: 'penguins', latest: '1.0.0', versions: 1 }] });

    const evaluated = await soma(['evaluate', 'penguins@1.0.0', '--data', 'examples/penguins/penguins.csv', '--json'], env);
    expect(evaluated.exitCode, evaluated.stderr).toBe(0);
    const e = JSON.parse(evaluated.stdout) as { metrics: Record<string, number> };
    expect(e.metrics['accuracy']).toBeGreaterThan(0.95);

    const out = path.join(tempDir('soma-e2e-out-'), 'species.csv');
    const predicted = await soma(['predict', 'penguins_v1.0.0', '--input', 'examples/penguins/penguins.csv', '--output', out, '--json'], env);
    expect(predicted.exitCode, predicted.stderr).toBe(0);
    expect(JSON.parse(predicted.stdout)).toMatchObject({ ref: 'penguins_v1.0.0', rows: 344, output: out });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('prediction,proba_Adelie,proba_Chinstrap,proba_Gentoo');
    expect(lines).toHaveLength(345);
    const truth = readFileSync(example('penguins', 'penguins.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    const agree = lines.slice(1).filter((l, i) => l.split(',')[0] === truth[i]).length;
    expect(agree / truth.length).toBeGreaterThan(0.95);
    expect(existsSync(`${out}.tmp`)).toBe(false);

    // A tampered artifact is caught before the model is used: exit 6 naming the file.
    const { appendFileSync } = await import('node:fs');
    appendFileSync(path.join(t.path, 'preprocess.json'), ' ');
    const tampered = await soma(['predict', 'penguins', '--input', 'examples/penguins/penguins.csv', '--output', `${out}.2.csv`], env);
    expect(tampered.exitCode).toBe(6);
    expect(tampered.stderr).toMatch(/preprocess\.json/);
  });
});
