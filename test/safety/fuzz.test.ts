// Item: every malformed artifact is exit 6 with its file and field, and nothing a user can feed
// soma is exit 1. A bounded, seeded fuzzer (the same cases every run): re-signed artifacts (each
// mutated file gets its checksum rewritten in metadata.json and metadata.json's in the
// `registered` event, as someone editing the registry by hand would), mutated configs through
// `soma validate`, and mutated CSVs through `soma predict`. Every outcome must be a documented
// exit code, never 1; a hang fails the test by its timeout. It runs the CLI in-process (the same
// main() as bin/soma.js) because hundreds of child processes would take minutes.

import { createHash } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { example, runCli, tempDir } from '../helpers/cli.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function lcg(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

/** Paths to every value in a JSON document (arrays sampled: at most 4 items each). */
function paths(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.slice(0, 4).forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function setAt(doc: Json, at: (string | number)[], value: Json): Json {
  if (at.length === 0) return value;
  const copy = structuredClone(doc) as Record<string | number, Json>;
  let o = copy as Record<string | number, Json>;
  for (const k of at.slice(0, -1)) o = o[k] as Record<string | number, Json>;
  o[at.at(-1)!] = value;
  return copy as Json;
}

const JUNK: Json[] = [null, 42, -1, 0, 1e308, 'xx!', 'NaN', '', true, [], {}, [1, 2, 3], { a: 1 }, 'A'.repeat(2000)];
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

let base: string;
let version: string;

/** Writes `text` as `file` of penguins@1.0.0 in `reg` and re-signs it (artifact list and registered event). */
function resign(reg: string, file: string, text: string): void {
  const v = path.join(reg, 'penguins', 'versions', '1.0.0');
  writeFileSync(path.join(v, file), text);
  const md = JSON.parse(readFileSync(path.join(v, 'metadata.json'), 'utf8')) as { artifacts: { path: string; bytes: number; sha256: string }[] };
  const entry = md.artifacts.find((a) => a.path === file)!;
  entry.bytes = Buffer.byteLength(text);
  entry.sha256 = sha(text);
  const mdText = `${JSON.stringify(md, null, 2)}\n`;
  writeFileSync(path.join(v, 'metadata.json'), mdText);
  const events = path.join(reg, 'penguins', 'events.jsonl');
  const lines = readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, Json>);
  for (const l of lines) if (l['event'] === 'registered' && l['version'] === '1.0.0') l['metadata_sha256'] = sha(mdText);
  writeFileSync(events, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
}

const outcomes = new Map<string, number>();
const count = (what: string, code: number): void => {
  const k = `${what} -> ${code}`;
  outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
};

beforeAll(async () => {
  base = path.join(tempDir('soma-fuzz-'), 'registry');
  const r = await runCli(['train', '-c', example('penguins', 'soma.yaml'), '--registry', base]);
  expect(r.code, r.stderr).toBe(0);
  version = path.join(base, 'penguins', 'versions', '1.0.0');
}, 120_000);

describe('the malformed artifacts the issue names', () => {
  it('when a re-signed artifact is null, not an object, has steps or columns of the wrong type, a million classes or a step state of the wrong shape, then predict exits 6 naming the file and field, promptly', async () => {
    const read = (f: string): Record<string, Json> => JSON.parse(readFileSync(path.join(version, f), 'utf8')) as Record<string, Json>;
    const pre = read('preprocess.json');
    const feat = read('features.json');
    const stateNull = structuredClone(pre);
    ((stateNull['steps'] as Json[])[2] as Record<string, Json>)['state'] = null;
    const stateWrong = structuredClone(pre);
    ((stateWrong['steps'] as Json[])[3] as Record<string, Json>)['state'] = { encodings: 7 };
    const cases: [string, Json, RegExp][] = [
      ['model/model.json', null, /model\/model\.json: document is null; expected an object/],
      ['model/model.json', 42, /model\/model\.json: document is 42; expected an object/],
      ['preprocess.json', { ...pre, steps: { a: 1 } }, /preprocess\.json: document\.steps is \{"a":1\}; expected a list/],
      ['preprocess.json', stateNull, /preprocess\.json: document\.steps\[2\]\.state is not what scale writes/],
      ['preprocess.json', stateWrong, /preprocess\.json: the saved steps do not read/],
      ['features.json', { ...feat, columns: { a: 1 } }, /features\.json: document\.columns is \{"a":1\}; expected a list/],
      ['features.json', { ...feat, classes: Array.from({ length: 1_000_000 }, (_, i) => `c${i}`) }, /features\.json: document\.classes is a list of 1000000 classes; expected at most 100000/],
    ];
    for (const [file, doc, message] of cases) {
      const reg = path.join(tempDir('soma-fuzz-named-'), 'registry');
      cpSync(base, reg, { recursive: true });
      resign(reg, file, `${JSON.stringify(doc)}\n`);
      const r = await runCli(['predict', 'penguins', '--input', example('penguins', 'penguins.csv'), '--output', path.join(tempDir(), 'o.csv'), '--registry', reg, '--workers', '0']);
      expect(r.code, r.stderr).toBe(6);
      expect(r.stderr).toMatch(message);
    }
  }, 120_000);
});

describe('fuzzing', () => {
  it('when 180 re-signed artifacts are mutated (model.json, preprocess.json, features.json), then predict exits 0, 3 (the mutated contract asks for other input) or 6, and every 6 names the file', async () => {
    const rand = lcg(15);
    const out = tempDir('soma-fuzz-out-');
    for (let i = 0; i < 180; i++) {
      const file = ['model/model.json', 'preprocess.json', 'features.json'][i % 3]!;
      const doc = JSON.parse(readFileSync(path.join(version, file), 'utf8')) as Json;
      const all = paths(doc);
      const at = all[Math.floor(rand() * all.length)]!;
      const value = JUNK[Math.floor(rand() * JUNK.length)]!;
      const reg = path.join(tempDir('soma-fuzz-reg-'), 'registry');
      cpSync(base, reg, { recursive: true });
      resign(reg, file, `${JSON.stringify(setAt(doc, at, value))}\n`);
      const r = await runCli(['predict', 'penguins', '--input', example('penguins', 'penguins.csv'), '--output', path.join(out, `${i}.csv`), '--registry', reg, '--workers', '0']);
      count(`artifact ${file}`, r.code);
      const where = `${file} ${JSON.stringify(at)} = ${JSON.stringify(value).slice(0, 40)}: ${r.stderr.slice(0, 600)}`;
      expect([0, 3, 6], where).toContain(r.code);
      if (r.code === 6) expect(r.stderr, where).toContain(file.replace('model/', ''));
    }
  }, 600_000);

  it('when 150 configs are mutated (a value replaced, a key renamed, a line cut), then validate exits 0, 2 or 3, never 1', async () => {
    const rand = lcg(29);
    const dir = tempDir('soma-fuzz-cfg-');
    cpSync(example('penguins', 'penguins.csv'), path.join(dir, 'penguins.csv'));
    const lines = readFileSync(example('penguins', 'soma.yaml'), 'utf8').split('\n');
    const tokens = ['null', '[]', '{}', '-1', '1e400', '"x"', '*a', '&a x', '!!binary x', '[[[[', '}', 'yes', '0x10', '~', "'", '"\\u0000"'];
    for (let i = 0; i < 150; i++) {
      const copy = [...lines];
      const li = Math.floor(rand() * copy.length);
      const kind = i % 3;
      if (kind === 0) copy[li] = copy[li]!.replace(/:\s*(.*)$/, `: ${tokens[Math.floor(rand() * tokens.length)]}`);
      else if (kind === 1) copy[li] = copy[li]!.replace(/^(\s*)([A-Za-z_]+)/, '$1$2x');
      else copy[li] = copy[li]!.slice(0, Math.floor(rand() * copy[li]!.length));
      writeFileSync(path.join(dir, 'soma.yaml'), copy.join('\n'));
      const r = await runCli(['validate', '-c', 'soma.yaml'], { cwd: dir });
      count('config', r.code);
      expect([0, 2, 3], `line ${li + 1}: ${copy[li]}: ${r.stderr}`).toContain(r.code);
    }
  }, 600_000);

  it('when 60 prediction inputs are mutated (cells, quotes, header, bytes), then predict exits 0 or 3, never 1', async () => {
    const rand = lcg(41);
    const dir = tempDir('soma-fuzz-csv-');
    const text = readFileSync(example('penguins', 'penguins.csv'), 'utf8');
    const junk = ['"', ',', '\u0000', 'NaN', '1e999', '-', '\r', '""', 'Gentoo,Gentoo', '\uFEFF', '9'.repeat(400)];
    for (let i = 0; i < 60; i++) {
      let t = text;
      for (let k = 0; k < 1 + (i % 4); k++) {
        const at = Math.floor(rand() * t.length);
        t = t.slice(0, at) + junk[Math.floor(rand() * junk.length)]! + t.slice(at + (i % 2));
      }
      writeFileSync(path.join(dir, 'in.csv'), t);
      const r = await runCli(['predict', 'penguins', '--input', 'in.csv', '--output', `out${i}.csv`, '--registry', base, '--workers', '0'], { cwd: dir });
      count('csv', r.code);
      expect([0, 3], r.stderr.slice(0, 600)).toContain(r.code);
    }
    // The tally, for the README's reliability figures.
    console.log([...outcomes].sort().map(([k, n]) => `${k}: ${n}`).join('\n'));
  }, 600_000);
});
