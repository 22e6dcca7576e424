// Shared by the server tests: models trained by the real CLI into a temporary registry, a real
// server on 127.0.0.1 port 0, and a real HTTP client (Node's fetch) to talk to it.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { Registry } from '../../src/registry/store.js';
import { startServer, type ServerOptions, type SomaServer } from '../../src/server/server.js';
import type { JsonObject, JsonValue } from '../../src/util/json.js';
import { example, runCli, tempDir } from '../helpers/cli.js';

/** Trains configs (paths, or [name, yaml text] pairs) into `registry` with the real CLI. */
export async function train(registry: string, configs: (string | [string, string])[], extra: string[] = []): Promise<void> {
  const work = tempDir('soma-serve-configs-');
  for (const c of configs) {
    let file: string;
    if (typeof c === 'string') file = c;
    else {
      file = path.join(work, `${c[0]}.yaml`);
      writeFileSync(file, c[1]);
    }
    const r = await runCli(['train', '-c', file, '--registry', registry, '--json', ...extra]);
    expect(r.code, r.stderr).toBe(0);
  }
}

/** A gbdt on the penguins with native categoricals (name penguins-gbdt). */
export const penguinsGbdt = (seed = 3, trees = 40): [string, string] => [
  `penguins-gbdt-${seed}-${trees}`,
  ['name: penguins-gbdt', 'task: classification', `seed: ${seed}`, 'data:', `  source: ${example('penguins', 'penguins.csv')}`, '  target: Species', `model: {type: gbdt, params: {n_estimators: ${trees}, max_depth: 4}}`].join('\n'),
];

export interface TestServer {
  server: SomaServer;
  url: string;
  close(): Promise<void>;
}

export async function serve(registry: string, refs: string[], options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const { server, url } = await startServer({ registry: new Registry(registry), refs, port: 0, host: '127.0.0.1', io: { stderr: { write: () => true } }, ...options });
  return { server, url, close: () => server.close() };
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: () => JsonObject;
}

export async function post(url: string, body: string | Buffer | object, headers: Record<string, string> = {}): Promise<Reply> {
  const data = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const r = await fetch(url, { method: 'POST', body: data, headers: { 'content-type': 'application/json', ...headers } });
  const text = await r.text();
  return { status: r.status, headers: r.headers, text, json: () => JSON.parse(text) as JsonObject };
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  const r = await fetch(url, { headers });
  const text = await r.text();
  return { status: r.status, headers: r.headers, text, json: () => JSON.parse(text) as JsonObject };
}

/** The CSV's header and string cells (the example files have no quoted fields). */
export function csvRows(file: string): { header: string[]; rows: string[][] } {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  return { header: lines[0]!.split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

/** Records as a JSON client sends them: numeric columns as numbers, empty cells as null, the rest as strings. */
export function typedRecords(file: string, numeric: ReadonlySet<string>, drop: readonly string[] = []): JsonObject[] {
  const { header, rows } = csvRows(file);
  return rows.map((cells) => {
    const r: JsonObject = {};
    header.forEach((h, j) => {
      if (drop.includes(h)) return;
      const c = cells[j]!;
      r[h] = c === '' ? null : numeric.has(h) ? Number(c) : c;
    });
    return r;
  });
}

export type { JsonValue };
