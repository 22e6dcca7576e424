// Item: integrity covers what decisions read. metadata.json is checked on every load against the
// sha256 its `registered` event recorded: an edited metric cannot pass `promote --require`, and a
// model.json edited and re-signed in metadata.json is caught on load, not only by `models verify`.
// `models show` and `compare` say when a version fails the check.

import { createHash } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { penguinsProject, soma, trainPenguins } from './helpers.js';

let project: string;
let base: string;

beforeAll(async () => {
  project = penguinsProject('soma-safety-metadata-');
  base = path.join(project, 'registry');
  await trainPenguins(project, base);
  await trainPenguins(project, base, ['--set', 'model.params.alpha=0.5']);
}, 240_000);

function copy(): string {
  const reg = path.join(tempDir('soma-safety-md-'), 'registry');
  cpSync(base, reg, { recursive: true });
  return reg;
}

interface Metadata {
  metrics: { test: Record<string, number> };
  artifacts: { path: string; bytes: number; sha256: string }[];
}
const mdPath = (reg: string, v: string): string => path.join(reg, 'penguins', 'versions', v, 'metadata.json');
const readMd = (reg: string, v: string): Metadata => JSON.parse(readFileSync(mdPath(reg, v), 'utf8')) as Metadata;
const writeMd = (reg: string, v: string, md: Metadata): void => writeFileSync(mdPath(reg, v), `${JSON.stringify(md, null, 2)}\n`);

describe('metadata.json is checked on every load', () => {
  it('when a recorded metric is edited to pass a gate, then promote --require exits 6 naming metadata.json and the alias does not move', async () => {
    const reg = copy();
    const md = readMd(reg, '1.0.0');
    md.metrics.test['f1_macro'] = 0.9999;
    writeMd(reg, '1.0.0', md);
    const r = await soma(['models', 'promote', 'penguins@1.0.0', '--to', 'production', '--require', 'f1_macro >= 0.999', '--registry', reg]);
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).toMatch(/metadata\.json changed after registration/);
    expect(readFileSync(path.join(reg, 'penguins', 'events.jsonl'), 'utf8')).not.toMatch(/"promoted"/);
  });

  it('when model.json is edited and its checksum re-signed in metadata.json, then predict exits 6 on load', async () => {
    const reg = copy();
    const file = path.join(reg, 'penguins', 'versions', '1.1.0', 'model', 'model.json');
    const edited = readFileSync(file, 'utf8').replace(/"max_iter":\s*\d+/, '"max_iter": 1');
    writeFileSync(file, edited);
    const md = readMd(reg, '1.1.0');
    const entry = md.artifacts.find((a) => a.path === 'model/model.json')!;
    entry.bytes = Buffer.byteLength(edited);
    entry.sha256 = createHash('sha256').update(edited).digest('hex');
    writeMd(reg, '1.1.0', md);
    const r = await soma(['predict', 'penguins@1.1.0', '--input', 'penguins.csv', '--output', 'out/p.csv', '--registry', reg, '--workers', '0'], { cwd: project });
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).toMatch(/penguins_v1\.1\.0 failed its integrity check: metadata\.json changed after registration/);
  });

  it('when a version fails its check, then models show and compare still print it but say so', async () => {
    const reg = copy();
    const md = readMd(reg, '1.0.0');
    md.metrics.test['accuracy'] = 1;
    writeMd(reg, '1.0.0', md);
    const shown = await soma(['models', 'show', 'penguins@1.0.0', '--registry', reg]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout + shown.stderr).toMatch(/INTEGRITY CHECK FAILED .*metadata\.json changed after registration/);
    expect(shown.stderr).toMatch(/penguins_v1\.0\.0 fails its integrity check/);
    const json = await soma(['models', 'show', 'penguins@1.0.0', '--registry', reg, '--json']);
    expect((JSON.parse(json.stdout) as { integrity: { ok: boolean } }).integrity.ok).toBe(false);
    const ok = await soma(['models', 'show', 'penguins@1.1.0', '--registry', reg, '--json']);
    expect((JSON.parse(ok.stdout) as { integrity: { ok: boolean } }).integrity).toEqual({ ok: true, problems: [] });
    const compared = await soma(['compare', 'penguins@1.0.0', 'penguins@1.1.0', '--registry', reg]);
    expect(compared.code, compared.stderr).toBe(0);
    expect(compared.stderr).toMatch(/penguins_v1\.0\.0 fails its integrity check/);
    expect(compared.stderr).not.toMatch(/penguins_v1\.1\.0 fails/);
  });
});
