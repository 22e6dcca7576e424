// Prediction from records in memory (an HTTP body, a caller's rows) with a model loaded once: the
// same schema, the same id split and the same per-chunk step as `soma predict`, so the columns
// returned are the ones `soma predict` writes for the same rows, bit for bit: the id column when
// the model has one, `prediction`, then `proba_<class>` per class for classifiers. One call is one
// chunk: for a model with time-series steps (lag, rolling, diff) its rows are each other's history.
//
// The two halves are exported too, for callers that check each request on its own but predict
// several together (the server's micro-batches): `recordsInput` / `columnsInput` build and check
// the input Frame, `predictInputFrame` predicts it. predictRecords is exactly the two in turn.

import { frameFromColumns, frameFromRecords, type RecordsOptions } from '../data/records.js';
import { Frame } from '../data/frame.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import { ignoredColumnsNotice, inputSchema, splitIdColumn } from './contract.js';
import type { LoadedModel } from './loaded-model.js';
import { predictionColumns } from './predict-worker.js';

export interface RecordsPredictOptions {
  /** Names the input in error messages (default "records"), as the file path does for `soma predict`. */
  source?: string;
  /** Strings that mean missing in every column (pass CSV_NULL_STRINGS for a CSV body); default none. */
  nullStrings?: readonly string[];
  /** Told about input keys the model does not use, with `soma predict`'s notice. */
  onWarning?: (message: string) => void;
}

/** Predictions for an array of records (objects keyed by column name), one output row per record. */
export function predictRecords(model: LoadedModel, records: readonly JsonValue[], options: RecordsPredictOptions = {}): Frame {
  return predictInputFrame(model, recordsInput(model, records, options));
}

/** Predictions for columns (an object of equally long arrays keyed by column name). */
export function predictColumns(model: LoadedModel, columns: JsonObject, options: RecordsPredictOptions = {}): Frame {
  return predictInputFrame(model, columnsInput(model, columns, options));
}

/** The model's input Frame (its contract's columns, then the id) from records, checked as the file readers check a file. */
export function recordsInput(model: LoadedModel, records: readonly JsonValue[], options: RecordsPredictOptions = {}): Frame {
  return frameFromRecords(records, readerOptions(model, options));
}

/** The model's input Frame from columns (an object of equally long arrays), checked as the file readers check a file. */
export function columnsInput(model: LoadedModel, columns: JsonObject, options: RecordsPredictOptions = {}): Frame {
  return frameFromColumns(columns, readerOptions(model, options));
}

function readerOptions(model: LoadedModel, options: RecordsPredictOptions): RecordsOptions {
  const source = options.source ?? 'records';
  const warn = options.onWarning;
  return {
    schema: inputSchema(model.contract),
    ...(model.contract.id ? { passThrough: [model.contract.id] } : {}),
    source,
    ...(options.nullStrings ? { nullStrings: options.nullStrings } : {}),
    ...(warn
      ? {
          onInfo: (info: { extraColumns: string[] }) => {
            if (info.extraColumns.length > 0) warn(ignoredColumnsNotice(source, info.extraColumns));
          },
        }
      : {}),
  };
}

/** The output columns for an input Frame from recordsInput/columnsInput: the id (if any), `prediction`, then the task's other columns. */
export function predictInputFrame(model: LoadedModel, input: Frame): Frame {
  const { passThrough, features } = splitIdColumn(model.contract, input);
  return new Frame([...passThrough, ...predictionColumns(model, features)]);
}
