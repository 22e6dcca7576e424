// Prediction from records in memory against `soma predict` on a file: real models trained by the
// real pipeline on the example data (penguins with missing values and categories, by a logistic
// model with preprocessing and by gbdt with native categoricals; cars, a regression with a date
// and an id), the real CLI process predicting the CSV, and predictRecords / predictColumns on the
// same rows. Every prediction and probability must be the same double, bit for bit.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_NULL_STRINGS } from '../../src/data/checks.js';
import { closeDuckDB } from '../../src/data/duckdb.js';
import type { Column, Frame } from '../../src/data/frame.js';
import { readFrame } from '../../src/data/read.js';
import { SomaError } from '../../src/errors.js';
import { loadModel, type LoadedModel } from '../../src/pipeline/loaded-model.js';
import { predictColumns, predictRecords } from '../../src/pipeline/predict-records.js';
import type { JsonObject, JsonValue } from '../../src/util/json.js';
import { example, repoRoot, runCli, tempDir } from '../helpers/cli.js';

const registry = tempDir('soma-records-predict-');
const work = tempDir('soma-records-work-');
const bin = path.join(repoRoot, 'bin', 'soma.js');

beforeAll(async () => {
  const gbdtPenguins = path.join(work, 'penguins-gbdt.yaml');
  writeFileSync(
    gbdtPenguins,
    [
      'name: penguins-gbdt',
      'task: classification',
      'seed: 3',
      'data:',
      `  source: ${example('penguins', 'penguins.csv')}`,
      '  target: Species',
      'model: {type: gbdt, params: {n_estimators: 40, max_depth: 4}}',
    ].join('\n'),
  );
  for (const config of [example('penguins', 'soma.yaml'), example('cars', 'soma.yaml'), gbdtPenguins]) {
    const r = await runCli(['train', '-c', config, '--registry', registry, '--json']);
    expect(r.code, r.stderr).toBe(0);
  }
}, 120_000);

afterAll(async () => {
  await closeDuckDB();
});

/** The CSV's rows, split by hand (the example files have no quotes): header and string cells. */
function csvRows(file: string): { header: string[]; rows: string[][] } {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  return { header: lines[0]!.split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

/** Records as a JSON client would send them: numbers as numbers, empty cells as null, other cells as strings. */
function typedRecords(model: LoadedModel, file: string): JsonObject[] {
  const { header, rows } = csvRows(file);
  const numeric = new Set(model.contract.columns.filter((c) => c.type === 'numeric').map((c) => c.name));
  return rows.map((cells) => Object.fromEntries(header.map((h, j): [string, JsonValue] => [h, cells[j] === '' ? null : numeric.has(h) ? Number(cells[j]) : cells[j]!])));
}

/** Columns of raw strings, as a CSV body's cells arrive (read with the CSV null strings). */
function stringColumns(file: string): JsonObject {
  const { header, rows } = csvRows(file);
  return Object.fromEntries(header.map((h, j) => [h, rows.map((cells) => cells[j]!)]));
}

/** Each column's cells: doubles by their bits, anything else as its string. */
function cells(frame: Frame): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const bits = new BigUint64Array(1);
  const f64 = new Float64Array(bits.buffer);
  const cell = (c: Column, i: number): string => {
    switch (c.type) {
      case 'numeric':
      case 'datetime':
        f64[0] = c.values![i]!;
        return bits[0]!.toString(16);
      case 'categorical':
        return c.codes[i]! < 0 ? '<missing>' : c.dictionary[c.codes[i]!]!;
      case 'text':
        return c.values[i] ?? '<missing>';
    }
  };
  for (const c of frame.columns) out[c.name] = Array.from({ length: frame.rows }, (_, i) => cell(c, i));
  return out;
}

async function cliPredict(ref: string, input: string, output: string): Promise<Frame> {
  const r = await execa('node', [bin, 'predict', ref, '--input', input, '--output', output, '--registry', registry, '--workers', '2', '--chunk-rows', '50', '--json'], { reject: false });
  expect(r.exitCode, r.stderr).toBe(0);
  // Parquet keeps every double exactly; the id and the class labels are strings.
  return readFrame(output, { types: { prediction: (await loadModel(registry, ref)).contract.classes.length > 0 ? 'categorical' : 'numeric' } });
}

describe('predictRecords', () => {
  for (const [ref, data] of [
    ['penguins', example('penguins', 'penguins.csv')],
    ['penguins-gbdt', example('penguins', 'penguins.csv')],
    ['cars-mpg', example('cars', 'cars.csv')],
  ] as const) {
    it(`when ${ref} predicts the example rows as records and as columns, then every output is bit-identical to soma predict on the file`, async () => {
      const model = await loadModel(registry, ref);
      const fromFile = await cliPredict(ref, data, path.join(work, `${ref}.parquet`));
      const records = predictRecords(model, typedRecords(model, data));
      const columns = predictColumns(model, stringColumns(data), { nullStrings: CSV_NULL_STRINGS });
      expect(records.names).toEqual(fromFile.names);
      expect(columns.names).toEqual(fromFile.names);
      const expected = cells(fromFile);
      expect(cells(records)).toEqual(expected);
      expect(cells(columns)).toEqual(expected);
      expect(records.rows).toBe(csvRows(data).rows.length);
      if (model.contract.classes.length > 0) expect(records.names).toEqual(['prediction', ...model.contract.classes.map((c) => `proba_${c}`)]);
      else expect(records.names).toEqual(['Name', 'prediction']);
    });
  }

  it('when a record has text in a numeric column, then the error is soma predict\'s for the same rows in a file (exit 3, column, row, value)', async () => {
    const model = await loadModel(registry, 'cars-mpg');
    const records = typedRecords(model, example('cars', 'cars.csv')).slice(0, 5);
    records[3]!['Horsepower'] = 'lots';
    const file = path.join(work, 'bad-cars.ndjson');
    writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const r = await execa('node', [bin, 'predict', 'cars-mpg', '--input', file, '--output', path.join(work, 'bad.csv'), '--registry', registry], { reject: false });
    expect(r.exitCode).toBe(3);
    let error: SomaError | undefined;
    try {
      predictRecords(model, records, { source: file });
    } catch (e) {
      error = e as SomaError;
    }
    expect(error).toBeInstanceOf(SomaError);
    expect(error!.exitCode).toBe(3);
    expect(error!.message).toBe(`${file}: column "Horsepower" row 4: "lots" is not a valid number`);
    expect(r.stderr).toContain(error!.message);
  });

  it('when records lack a model column or carry extra keys, then the missing ones are named and the extra ones noticed as soma predict notices them', async () => {
    const model = await loadModel(registry, 'penguins');
    const notices: string[] = [];
    const out = predictRecords(model, [{ Island: 'Dream', 'Beak Length (mm)': 40, 'Beak Depth (mm)': 18, 'Flipper Length (mm)': 190, 'Body Mass (g)': 3500, Sex: 'MALE', colour: 'blue' }], { onWarning: (m) => notices.push(m) });
    expect(out.rows).toBe(1);
    expect(notices).toEqual(['records: ignoring 1 column(s) the model does not use: colour']);
    let error: SomaError | undefined;
    try {
      predictRecords(model, [{ Island: 'Dream', Sex: 'MALE' }]);
    } catch (e) {
      error = e as SomaError;
    }
    expect(error?.code).toBe('DATA_MISSING_COLUMN');
    expect(error?.message).toBe('records has no columns "Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)" (it has: Island, Sex)');
  });

  it('when there are no records, then there are no output rows and the output columns are soma predict\'s', async () => {
    const model = await loadModel(registry, 'penguins');
    const out = predictRecords(model, []);
    expect(out.rows).toBe(0);
    expect(out.names).toEqual(['prediction', ...model.contract.classes.map((c) => `proba_${c}`)]);
  });
});
