// The shared shape of the time-series steps (lag, diff, rolling): learn which value columns to
// use at fit, then at transform compute each column's past-only features in group/time order
// (timeorder.ts) and insert them right after their source column. Subclasses only say which
// features one column gets.

import { numericValues, type Column, type Frame } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { checkDensify, insertAfter } from './frames.js';
import { stateOf } from './params.js';
import { seriesColumns, seriesParams, timeOrder, type SeriesParams, type TimeOrder } from './timeorder.js';
import type { StepJSON, Transformer } from './transformer.js';

export abstract class SeriesStep implements Transformer {
  abstract readonly step: string;
  protected readonly series: SeriesParams;
  private columns: string[] = [];

  constructor(
    readonly params: JsonObject,
    stepName: string,
  ) {
    this.series = seriesParams(params, stepName);
  }

  /** The new columns for one numeric source column, given the frame's time order. */
  protected abstract features(name: string, values: Float64Array, order: TimeOrder, rows: number): Column[];

  fit(frame: Frame): void {
    this.columns = seriesColumns(frame, this.series, this.step);
  }

  transform(frame: Frame): Frame {
    const order = timeOrder(frame, this.series.by, this.series.order, this.step);
    const added = new Map<string, Column[]>();
    // Lags and windows of a sparse column are dense: densified one column at a time, within a limit.
    checkDensify(frame, this.columns, this.step);
    for (const name of this.columns) {
      const c = frame.column(name);
      if (c && c.type === 'numeric') added.set(name, this.features(name, numericValues(c), order, frame.rows));
    }
    return insertAfter(frame, added);
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { columns: this.columns } };
  }

  /** Restores the learned columns into a freshly constructed step (for the subclasses' fromJSON). */
  protected static restore<T extends SeriesStep>(step: T, json: StepJSON): T {
    step.columns = stateOf<string[]>(json, 'columns');
    return step;
  }
}
