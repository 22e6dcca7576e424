// The last, implicit stage of every pipeline: turns the transformed Frame into the numeric
// FeatureMatrix estimators train on, with the feature list fixed at fit time so prediction
// builds exactly the same columns in the same order.

import type { Column, Frame } from '../data/frame.js';
import type { FeatureKind, FeatureMatrix } from '../engine/matrix.js';
import type { FeatureColumn } from '../engine/sparse.js';
import { presentCategories, remapCodes } from './categories.js';

export interface FeatureDef {
  name: string;
  kind: FeatureKind;
  /** Learned category list (categorical features only). */
  categories?: string[];
  /** Where the values come from: a datetime column becomes fractional years since 1970. */
  from: 'numeric' | 'categorical' | 'datetime';
}

const MS_PER_YEAR = 365.2425 * 24 * 3600 * 1000;

export class FeatureEncoder {
  features: FeatureDef[] = [];
  /** Columns left out of the features, with why (reported to the user). */
  dropped: { column: string; reason: string }[] = [];

  fit(frame: Frame): void {
    this.features = [];
    this.dropped = [];
    for (const c of frame.columns) {
      switch (c.type) {
        case 'numeric':
          this.features.push({ name: c.name, kind: 'numeric', from: 'numeric' });
          break;
        case 'datetime':
          this.features.push({ name: c.name, kind: 'numeric', from: 'datetime' });
          break;
        case 'categorical':
          this.features.push({ name: c.name, kind: 'categorical', categories: presentCategories(c), from: 'categorical' });
          break;
        case 'text':
          this.dropped.push({ column: c.name, reason: 'text columns need a text step (tfidf or hashing) to become features' });
          break;
      }
    }
  }

  transform(frame: Frame): FeatureMatrix {
    const columns = this.features.map((f) => encodeColumn(frame.column(f.name), f, frame.rows));
    return {
      rows: frame.rows,
      names: this.features.map((f) => f.name),
      kinds: this.features.map((f) => f.kind),
      cardinality: this.features.map((f) => f.categories?.length ?? 0),
      columns,
    };
  }

  toJSON(): { features: FeatureDef[]; dropped: { column: string; reason: string }[] } {
    return { features: this.features, dropped: this.dropped };
  }

  static fromJSON(json: { features: FeatureDef[]; dropped: { column: string; reason: string }[] }): FeatureEncoder {
    const e = new FeatureEncoder();
    e.features = json.features;
    e.dropped = json.dropped;
    return e;
  }
}

function encodeColumn(c: Column | undefined, f: FeatureDef, rows: number): FeatureColumn {
  if (!c) {
    // The input-schema check runs before transforms; reaching here means a step removed the column.
    throw new Error(`feature ${f.name} is missing after preprocessing`);
  }
  if (f.from === 'numeric') {
    if (c.type !== 'numeric') throw new Error(`feature ${f.name} should be numeric but is ${c.type}`);
    return c.sparse ?? c.values; // shared, never mutated downstream; sparse columns stay sparse
  }
  if (f.from === 'datetime') {
    if (c.type !== 'datetime') throw new Error(`feature ${f.name} should be datetime but is ${c.type}`);
    const out = new Float64Array(rows);
    for (let i = 0; i < rows; i++) out[i] = c.values[i]! / MS_PER_YEAR;
    return out;
  }
  if (c.type !== 'categorical') throw new Error(`feature ${f.name} should be categorical but is ${c.type}`);
  const codes = remapCodes(c, f.categories!);
  const out = new Float64Array(rows);
  // Missing and unseen categories both become NaN: tree models send them the learned default way.
  for (let i = 0; i < rows; i++) out[i] = codes[i]! >= 0 ? codes[i]! : NaN;
  return out;
}
