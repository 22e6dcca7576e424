// Loading the training data a config names, checking the columns it mentions, and splitting it
// into train / validation / test frames.

import { stat } from 'node:fs/promises';
import { ownValue, setOwn } from '../util/json.js';
import path from 'node:path';
import { SomaError } from '../errors.js';
import type { ColumnType, Frame } from '../data/frame.js';
import type { SomaConfig } from '../config/types.js';
import { classLabels } from '../tasks/encode.js';
import type { TaskSpec } from '../tasks/spec.js';
import { inspectColumns, readFrame } from '../data/read.js';
import { splitIndices } from '../data/split.js';
import { identifierColumns } from '../data/identifiers.js';
import { headerWarning } from '../data/dialect.js';
import { sha256File } from '../registry/checksums.js';
import { sha256 } from '../util/hash.js';
import { rowsWithTarget } from './target.js';

export interface Dataset {
  train: Frame;
  validation: Frame;
  test: Frame | undefined;
  /** How the config named the data (paths as written). */
  source: string;
  /** SHA-256 over the data files' contents. */
  sha256: string;
  /** Rows read (before dropping rows without a target). */
  rows: number;
  warnings: string[];
}

const resolve = (dir: string, p: string): string => (path.isAbsolute(p) ? p : path.join(dir, p));

/**
 * Reads and splits the data. A known task (`taskHint`) says how to read its target (classification:
 * as categories) and whether `split.stratify` applies; before the task is known, a categorical
 * target is stratified (the task is then inferred from that target).
 */
export async function loadDataset(config: SomaConfig, configDir: string, taskHint: TaskSpec | undefined): Promise<Dataset> {
  const d = config.data;
  const types: Record<string, ColumnType> = { ...d.types };
  if (taskHint?.target.readAs && ownValue(types, d.target) === undefined) setOwn(types, d.target, taskHint.target.readAs);
  const stratify = d.split.stratify && (taskHint?.stratify ?? true);
  const read = async (p: string): Promise<Frame> => {
    const file = resolve(configDir, p);
    // Check the columns the config names before reading, so a typo in `target` is reported as
    // such rather than as a bad type override.
    const present = new Set((await inspectColumns(file, d.format, d.csv)).map((c) => c.name));
    checkColumns(present, config, p);
    return readFrame(file, { format: d.format, types, formats: d.formats, csv: d.csv, label: p, onWarning: (w) => warnings.push(w) });
  };
  const warnings: string[] = [];

  if (d.source !== undefined) {
    // Hashing streams the file's bytes while DuckDB parses it, so the two reads overlap. The read
    // reports a missing or unreadable file with its own typed error, so the hash's is not awaited
    // until the read has succeeded.
    const hashing = hashSources(configDir, [d.source]);
    hashing.catch(() => undefined);
    const frame = await read(d.source);
    warnIdentifiers(frame, config, d.source, warnings);
    const sha256 = await hashing;
    const kept = dropMissingTarget(frame, d.target, d.source, warnings);
    const target = kept.column(d.target)!;
    const strat = stratify && target.type === 'categorical' ? stratifyCodes(kept, d.target) : undefined;
    const timeCol = d.split.by !== undefined ? kept.column(d.split.by) : undefined;
    if (timeCol && timeCol.type !== 'datetime' && timeCol.type !== 'numeric') {
      throw new SomaError('CONFIG_INVALID', `data.split.by: column "${d.split.by}" is ${timeCol.type} (expected a datetime or numeric column)`);
    }
    const parts = splitIndices(kept.rows, {
      train: d.split.train,
      validation: d.split.validation,
      test: d.split.test,
      seed: config.seed,
      shuffle: d.split.shuffle,
      ...(strat ? { stratify: strat } : {}),
      ...(timeCol && (timeCol.type === 'datetime' || timeCol.type === 'numeric') ? { orderBy: timeCol.values } : {}),
    });
    if (parts.train.length === 0) throw new SomaError('DATA_EMPTY', `${d.source}: no training rows after the split (${kept.rows} rows in all)`);
    return {
      train: kept.take(parts.train),
      validation: kept.take(parts.validation),
      test: parts.test.length > 0 ? kept.take(parts.test) : undefined,
      source: d.source,
      sha256,
      rows: frame.rows,
      warnings,
    };
  }

  const trainFile = d.train!;
  const [trainRaw, validationRaw, testRaw] = await Promise.all([
    read(trainFile),
    d.validation !== undefined ? read(d.validation) : Promise.resolve(undefined),
    d.test !== undefined ? read(d.test) : Promise.resolve(undefined),
  ]);
  warnIdentifiers(trainRaw, config, trainFile, warnings);
  let train = dropMissingTarget(trainRaw, d.target, trainFile, warnings);
  let validation: Frame;
  if (validationRaw) {
    validation = dropMissingTarget(validationRaw, d.target, d.validation!, warnings);
  } else {
    // No validation file: carve the validation share out of the training file.
    const share = d.split.validation / (d.split.train + d.split.validation);
    const strat = stratify && train.column(d.target)!.type === 'categorical' ? stratifyCodes(train, d.target) : undefined;
    const parts = splitIndices(train.rows, { train: 1 - share, validation: share, test: 0, seed: config.seed, shuffle: d.split.shuffle, ...(strat ? { stratify: strat } : {}) });
    validation = train.take(parts.validation);
    train = train.take(parts.train);
  }
  let test: Frame | undefined;
  if (testRaw) {
    test = dropMissingTarget(testRaw, d.target, d.test!, warnings);
  }
  const files = [trainFile, d.validation, d.test].filter((f): f is string => f !== undefined);
  return { train, validation, test, source: files.join(', '), sha256: await hashSources(configDir, files), rows: trainRaw.rows + (validationRaw?.rows ?? 0) + (testRaw?.rows ?? 0), warnings };
}

/** Every column the config names must exist; all missing ones are reported together. */
function checkColumns(present: ReadonlySet<string>, config: SomaConfig, file: string): void {
  const d = config.data;
  const wanted: [string, string][] = [['data.target', d.target]];
  if (d.id !== undefined) wanted.push(['data.id', d.id]);
  if (d.split.by !== undefined) wanted.push(['data.split.by', d.split.by]);
  for (const c of d.drop) wanted.push(['data.drop', c]);
  for (const c of Object.keys(d.types)) wanted.push(['data.types', c]);
  const missing = wanted.filter(([, c]) => !present.has(c));
  if (missing.length > 0) {
    const names = [...present];
    // Names that look like data usually mean the header is not on the first line.
    const header = headerWarning(file, names);
    throw new SomaError('DATA_MISSING_COLUMN', `${file}: ${missing.map(([k, c]) => `${k} column ${JSON.stringify(c)}`).join(', ')} not found (columns: ${names.join(', ')})`, {
      ...(header ? { hint: header } : {}),
      details: { file, missing: missing.map(([, c]) => c) },
    });
  }
}

/** A warning for each feature column that looks like a row identifier (checked in file order, before any split). */
function warnIdentifiers(frame: Frame, config: SomaConfig, file: string, warnings: string[]): void {
  const d = config.data;
  const notFeatures = [d.target, ...(d.id !== undefined ? [d.id] : []), ...d.drop, ...(d.split.by !== undefined ? [d.split.by] : [])];
  for (const id of identifierColumns(frame, notFeatures)) {
    warnings.push(
      `${file}: column "${id.name}" looks like a row identifier (${id.why}); as a feature it only lets the model memorise rows: ` +
        `set data.id: ${JSON.stringify(id.name)} (kept out of the features, copied into predictions) or add it to data.drop`,
    );
  }
}

function dropMissingTarget(frame: Frame, target: string, file: string, warnings: string[]): Frame {
  const keep = rowsWithTarget(frame.column(target)!);
  if (keep.length === frame.rows) return frame;
  warnings.push(`${file}: ${frame.rows - keep.length} rows without a target value were left out`);
  if (keep.length === 0) throw new SomaError('DATA_EMPTY', `${file}: every row misses the target "${target}"`);
  return frame.take(keep);
}

function stratifyCodes(frame: Frame, target: string): Int32Array {
  const c = frame.column(target)!;
  const labels = classLabels(c);
  const index = new Map(labels.map((l, i) => [l, i]));
  const codes = new Int32Array(frame.rows);
  if (c.type === 'categorical') {
    for (let i = 0; i < frame.rows; i++) codes[i] = index.get(c.dictionary[c.codes[i]!]!) ?? 0;
  }
  return codes;
}

async function hashSources(dir: string, files: string[]): Promise<string> {
  const parts: string[] = [];
  for (const f of files) {
    const p = resolve(dir, f);
    // Single files hash by content; a glob (whose file set may change) hashes as its pattern.
    if (/[*?[]/.test(p)) {
      parts.push(`glob:${p}`);
      continue;
    }
    // Never hash what cannot end (a FIFO, /dev/zero): the reader refuses it with its own error,
    // and a hash left reading would keep the process alive after that error is printed.
    const st = await stat(p).catch(() => undefined);
    parts.push(st?.isFile() ? await sha256File(p) : `unhashed:${p}`);
  }
  return sha256(parts.join(''));
}
