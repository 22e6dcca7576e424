// The same rows through every protocol (soma's records and columns, Open Inference V2 tensors,
// MLflow's dataframe_split, dataframe_records, instances, inputs and text/csv) against a real
// server, and through the real `soma predict` CLI process on the file: every prediction,
// probability and id must be the same double or string, bit for bit (JSON numbers printed with
// JavaScript's shortest round-trip form parse back to the same double).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDuckDB } from '../../src/data/duckdb.js';
import type { Frame } from '../../src/data/frame.js';
import { readFrame } from '../../src/data/read.js';
import type { JsonObject, JsonValue } from '../../src/util/json.js';
import { example, repoRoot, tempDir } from '../helpers/cli.js';
import { csvRows, get, penguinsGbdt, post, serve, train, typedRecords, type TestServer } from './helpers.js';

const registry = tempDir('soma-serve-protocols-');
const work = tempDir('soma-serve-protocols-work-');
const bin = path.join(repoRoot, 'bin', 'soma.js');
let srv: TestServer;

const penguinsNumeric: [string, string] = [
  'penguins-num',
  ['name: penguins-num', 'task: classification', 'seed: 5', 'data:', `  source: ${example('penguins', 'penguins.csv')}`, '  target: Species', '  drop: [Island, Sex]', 'model: {type: gbdt, params: {n_estimators: 30, max_depth: 3}}'].join('\n'),
];

beforeAll(async () => {
  await train(registry, [example('penguins', 'soma.yaml'), example('cars', 'soma.yaml'), penguinsGbdt(), penguinsNumeric]);
  srv = await serve(registry, ['penguins', 'cars-mpg', 'penguins-gbdt', 'penguins-num@1.0.0']);
}, 180_000);

afterAll(async () => {
  await srv?.close();
  await closeDuckDB();
});

/** `soma predict` (the real CLI process) on the file, read back from Parquet, which keeps every double. */
async function cliPredict(ref: string, input: string, classes: boolean): Promise<Frame> {
  const output = path.join(work, `${ref}.parquet`);
  const r = await execa('node', [bin, 'predict', ref, '--input', input, '--output', output, '--registry', registry, '--json'], { reject: false });
  expect(r.exitCode, r.stderr).toBe(0);
  return readFrame(output, { types: { prediction: classes ? 'categorical' : 'numeric' } });
}

const bits = new BigUint64Array(1);
const f64 = new Float64Array(bits.buffer);
/** A cell as a comparable string: a double by its bits, a string as itself, missing as <missing>. */
function cell(v: JsonValue | number | undefined): string {
  if (v === null || v === undefined) return '<missing>';
  if (typeof v === 'number') {
    f64[0] = v;
    return `f64:${bits[0]!.toString(16)}`;
  }
  return `s:${String(v)}`;
}

function expectedCells(frame: Frame): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const c of frame.columns) {
    const col: string[] = [];
    for (let i = 0; i < frame.rows; i++) {
      if (c.type === 'numeric') col.push(Number.isNaN(c.values![i]!) ? '<missing>' : cell(c.values![i]!));
      else if (c.type === 'categorical') col.push(c.codes[i]! < 0 ? '<missing>' : cell(c.dictionary[c.codes[i]!]!));
      else if (c.type === 'text') col.push(cell(c.values[i] ?? null));
      else col.push(cell(c.values[i]!));
    }
    out[c.name] = col;
  }
  return out;
}

function fromRecords(records: JsonObject[], names: readonly string[]): Record<string, string[]> {
  return Object.fromEntries(names.map((n) => [n, records.map((r) => cell(r[n]))]));
}

function fromTensors(outputs: JsonObject[], names: readonly string[]): Record<string, string[]> {
  const byName = new Map(outputs.map((o) => [o['name'] as string, o['data'] as JsonValue[]]));
  return Object.fromEntries(names.map((n) => [n, (byName.get(n) ?? []).map(cell)]));
}

interface Case {
  ref: string;
  name: string;
  file: string;
  target: string;
  numeric: Set<string>;
  datetime: Set<string>;
}

const cases: Case[] = [
  { ref: 'penguins', name: 'penguins', file: example('penguins', 'penguins.csv'), target: 'Species', numeric: new Set(['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)']), datetime: new Set() },
  { ref: 'penguins-gbdt', name: 'penguins-gbdt', file: example('penguins', 'penguins.csv'), target: 'Species', numeric: new Set(['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)']), datetime: new Set() },
  {
    ref: 'cars-mpg',
    name: 'cars-mpg',
    file: example('cars', 'cars.csv'),
    target: 'Miles_per_Gallon',
    numeric: new Set(['Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration']),
    datetime: new Set(['Year']),
  },
];

describe('every protocol answers as soma predict does', () => {
  for (const c of cases) {
    it(`when ${c.ref}'s example rows go through soma, V2 and MLflow routes, then every output is bit-identical to soma predict on the file`, async () => {
      const meta = (await get(`${srv.url}/v2/models/${c.name}`)).json();
      const classes = (meta['outputs'] as JsonObject[]).some((o) => String(o['name']).startsWith('proba_'));
      const expected = expectedCells(await cliPredict(c.ref, c.file, classes));
      const names = Object.keys(expected);
      const records = typedRecords(c.file, c.numeric, [c.target]);
      const columnNames = Object.keys(records[0]!);
      const columns: JsonObject = Object.fromEntries(columnNames.map((n) => [n, records.map((r) => r[n]!)]));

      // soma: records and columns; the version in the body and in X-Soma-Model-Version.
      const somaRecords = await post(`${srv.url}/models/${c.name}/predict`, { records });
      expect(somaRecords.status, somaRecords.text).toBe(200);
      expect(somaRecords.headers.get('x-soma-model-version')).toBe('1.0.0');
      expect(somaRecords.json()['version']).toBe('1.0.0');
      expect(somaRecords.json()['id']).toBe(`${c.name}_v1.0.0`);
      expect(Object.keys((somaRecords.json()['predictions'] as JsonObject[])[0]!)).toEqual(names);
      expect(fromRecords(somaRecords.json()['predictions'] as JsonObject[], names)).toEqual(expected);
      const somaColumns = await post(`${srv.url}/models/${c.name}/predict`, { columns });
      expect(fromRecords(somaColumns.json()['predictions'] as JsonObject[], names)).toEqual(expected);

      // V2: one tensor per column, typed by the metadata.
      const inputs = (meta['inputs'] as JsonObject[]).map((i) => ({ name: i['name'], datatype: i['datatype'], shape: [records.length], data: columns[i['name'] as string] }));
      const v2 = await post(`${srv.url}/v2/models/${c.name}/infer`, { id: 'req-1', inputs });
      expect(v2.status, v2.text).toBe(200);
      expect(v2.json()['model_version']).toBe('1.0.0');
      expect(v2.json()['id']).toBe('req-1');
      expect(fromTensors(v2.json()['outputs'] as JsonObject[], names)).toEqual(expected);
      const versioned = await post(`${srv.url}/v2/models/${c.name}/versions/1.0.0/infer`, { inputs, outputs: [{ name: 'prediction' }] });
      expect((versioned.json()['outputs'] as JsonObject[]).map((o) => o['name'])).toEqual(['prediction']);
      expect(fromTensors(versioned.json()['outputs'] as JsonObject[], ['prediction'])).toEqual({ prediction: expected['prediction'] });

      // MLflow: every JSON form and a CSV body.
      const mlflow = `${srv.url}/models/${c.name}/invocations`;
      const bodies: [string, unknown][] = [
        ['dataframe_split', { dataframe_split: { columns: columnNames, data: records.map((r) => columnNames.map((n) => r[n]!)) } }],
        ['dataframe_records', { dataframe_records: records }],
        ['instances', { instances: records }],
        ['inputs', { inputs: columns }],
      ];
      for (const [form, body] of bodies) {
        const r = await post(mlflow, body as object);
        expect(r.status, `${form}: ${r.text}`).toBe(200);
        expect(fromRecords(r.json()['predictions'] as JsonObject[], names), form).toEqual(expected);
      }
      const csv = await post(mlflow, readFileSync(c.file), { 'content-type': 'text/csv' });
      expect(csv.status, csv.text).toBe(200);
      expect(fromRecords(csv.json()['predictions'] as JsonObject[], names)).toEqual(expected);
    });
  }

  it('when rows come as lists without names (MLflow instances, a V2 [rows, columns] tensor), then they are the model inputs in contract order', async () => {
    const file = example('penguins', 'penguins.csv');
    const numeric = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];
    const expected = expectedCells(await cliPredict('penguins-num', file, true));
    const names = Object.keys(expected);
    const meta = (await get(`${srv.url}/v2/models/penguins-num`)).json();
    expect((meta['inputs'] as JsonObject[]).map((i) => i['name'])).toEqual(numeric);
    const rows = typedRecords(file, new Set(numeric), ['Species', 'Island', 'Sex']).map((r) => numeric.map((n) => r[n]!));
    const mlflow = await post(`${srv.url}/models/penguins-num/invocations`, { instances: rows });
    expect(fromRecords(mlflow.json()['predictions'] as JsonObject[], names)).toEqual(expected);
    const v2 = await post(`${srv.url}/v2/models/penguins-num/infer`, { inputs: [{ name: 'x', datatype: 'FP64', shape: [rows.length, 4], data: rows }] });
    expect(v2.status, v2.text).toBe(200);
    expect(fromTensors(v2.json()['outputs'] as JsonObject[], names)).toEqual(expected);
    // /invocations is the first served model's: penguins.
    const first = await post(`${srv.url}/invocations`, { dataframe_records: typedRecords(file, new Set(numeric), ['Species']).slice(0, 3) });
    expect(first.status, first.text).toBe(200);
    expect(first.headers.get('x-soma-model-version')).toBe('1.0.0');
    expect(Object.keys((first.json()['predictions'] as JsonObject[])[0]!)).toEqual(['prediction', 'proba_Adelie', 'proba_Chinstrap', 'proba_Gentoo']);
  });

  it('when metadata and health are asked for, then V2 lists inputs from features.json and the outputs, and every health route is ready', async () => {
    const meta = (await get(`${srv.url}/v2/models/cars-mpg`)).json();
    expect(meta['name']).toBe('cars-mpg');
    expect(meta['versions']).toEqual(['1.0.0']);
    expect(meta['platform']).toBe('soma-gbdt');
    expect((meta['inputs'] as JsonObject[]).map((i) => [i['name'], i['datatype']])).toEqual([
      ['Cylinders', 'FP64'],
      ['Displacement', 'FP64'],
      ['Horsepower', 'FP64'],
      ['Weight_in_lbs', 'FP64'],
      ['Acceleration', 'FP64'],
      ['Year', 'BYTES'],
      ['Origin', 'BYTES'],
      ['Name', 'BYTES'],
    ]);
    expect((meta['outputs'] as JsonObject[]).map((o) => [o['name'], o['datatype']])).toEqual([
      ['Name', 'BYTES'],
      ['prediction', 'FP64'],
    ]);
    const origin = (meta['inputs'] as JsonObject[]).find((i) => i['name'] === 'Origin')!;
    expect((origin['parameters'] as JsonObject)['categories']).toEqual(expect.arrayContaining(['USA', 'Europe', 'Japan']));
    for (const p of ['/v2/health/live', '/v2/health/ready', '/v2/models/penguins/ready', '/v2/models/penguins/versions/1.0.0/ready', '/ping', '/health']) {
      const r = await get(`${srv.url}${p}`);
      expect(r.status, p).toBe(200);
    }
    expect((await get(`${srv.url}/v2`)).json()['name']).toBe('soma');
    const index = (await get(`${srv.url}/`)).json();
    expect((index['routes'] as JsonObject[]).map((r) => r['path'])).toContain('/v2/models/{name}/infer');
    const models = (await get(`${srv.url}/models`)).json()['models'] as JsonObject[];
    expect(models.map((m) => [m['name'], (m['arms'] as JsonObject[])[0]!['version']])).toEqual([
      ['penguins', '1.0.0'],
      ['cars-mpg', '1.0.0'],
      ['penguins-gbdt', '1.0.0'],
      ['penguins-num', '1.0.0'],
    ]);
  });

  it('when the CSV body has quoted fields, then they read as the same cells', async () => {
    const file = example('penguins', 'penguins.csv');
    const { header, rows } = csvRows(file);
    const quoted = [header.map((h) => `"${h}"`).join(','), ...rows.slice(0, 5).map((r) => r.map((x) => `"${x.replace(/"/g, '""')}"`).join(','))].join('\r\n') + '\r\n';
    const plain = [header.join(','), ...rows.slice(0, 5).map((r) => r.join(','))].join('\n');
    const a = await post(`${srv.url}/invocations`, quoted, { 'content-type': 'text/csv; charset=utf-8' });
    const b = await post(`${srv.url}/invocations`, plain, { 'content-type': 'text/csv' });
    expect(a.status, a.text).toBe(200);
    expect(a.json()).toEqual(b.json());
  });
});
