// What a forecaster fits and forecasts from: every series' history on its own time axis (gaps
// already filled, `observed` marking the periods a row gave), its known-in-advance values (for
// forecasting, extended over the periods ahead) and its categorical codes.

import type { Anchor, Frequency } from '../../engine/forecast/frequency.js';
import type { SeriesView } from '../../engine/forecast/features.js';

export interface ForecastSeries extends SeriesView {
  observed: Uint8Array;
}

export interface ForecastData {
  frequency: Frequency;
  anchor: Anchor;
  /** Season length in periods (the frequency's, or the family's own). */
  season: number;
  series: ForecastSeries[];
}

export interface ForecastOptions {
  /** Clip forecasts at 0. */
  nonnegative: boolean;
  signal?: AbortSignal;
}
