// The prediction log: what `soma serve` appends for every answered request (sampled by
// `serving.log_sample`) and what `soma monitor` reads back in windows. One JSON object per line
// (NDJSON), one line per request, columns inside a line (a request of 500 rows is one line, not
// 500), so a busy server writes few, large, sequential lines.
//
// Where: `<registry>/<model>/serving/predictions-<YYYYMMDD>-<seq>.ndjson` by default (the model
// directory, beside events.jsonl and predictions.jsonl, never the immutable version directory),
// or `--log-dir DIR/<model>/...`. A file rotates when it passes its size limit or the UTC day
// changes; `<seq>` counts from 0 within a day, zero-padded to 4 digits (`predictions-20261122-0003.ndjson`)
// so that name order is write order. A reader takes the files of a model in name order. With
// `soma serve --workers N` every worker appends whole lines to the same file (O_APPEND), so lines
// are complete but only roughly in time order across workers.
//
// Format version 1. Readers skip lines that do not parse (a torn last line after a crash) and
// count them; they refuse a line of a newer `v` or of another model with a clear error.

import type { JsonValue } from '../util/json.js';

export const PREDICTION_LOG_VERSION = 1;

/** One served request (or its sampled share), as written to the log. */
export interface PredictionLogRecord {
  /** Format version (PREDICTION_LOG_VERSION). */
  v: number;
  /** When the answer was sent, ISO 8601 UTC with milliseconds. */
  at: string;
  /** Registered model name and the exact version that answered. */
  model: string;
  version: string;
  /** Which protocol carried it: `soma` (POST /models/{name}/predict), `v2` (Open Inference), `mlflow` (/invocations). */
  route: 'soma' | 'v2' | 'mlflow';
  /** The traffic split's arm when the model has routes (`production`, `staging`, `shadow:<alias>`), else null. */
  arm: string | null;
  /** The request key that decided the arm (X-Soma-Key or the id column), else null. */
  key: string | null;
  /** HTTP status of the answer. Errors are logged too (without outputs), so error rates can be computed. */
  status: number;
  /** The SomaError code of a failed request, else null. */
  error: string | null;
  /** Server-side time from the request's arrival to its answer, in milliseconds. */
  latency_ms: number;
  /** Rows in the request (0 when it could not be parsed). */
  rows: number;
  /** Whether the answer came from the prediction cache (every row a hit). */
  cached: boolean;
  /** The id column's values, when the model has one and the request carried it. */
  ids: JsonValue[] | null;
  /** The model's input columns as received, by name (after conforming to the contract: numbers as numbers, datetimes as epoch milliseconds, categories and text as strings, missing as null). */
  inputs: Record<string, JsonValue[]> | null;
  /** What `soma predict` would write for these rows, by column: `prediction`, `proba_<class>`, ... */
  outputs: Record<string, JsonValue[]> | null;
}

/** The name of a log file: `predictions-<YYYYMMDD>-<seq, 4 digits>.ndjson`. */
export function predictionLogFileName(day: string, seq: number): string {
  return `predictions-${day}-${String(seq).padStart(4, '0')}.ndjson`;
}

/** Matches a log file's name; groups: the day (YYYYMMDD) and the sequence number. */
export const PREDICTION_LOG_FILE_RE = /^predictions-(\d{8})-(\d+)\.ndjson$/;

/** The UTC day (YYYYMMDD) of an ISO 8601 UTC time such as `at`. */
export function logDayOf(at: string): string {
  return `${at.slice(0, 4)}${at.slice(5, 7)}${at.slice(8, 10)}`;
}
