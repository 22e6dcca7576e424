// The saved form of a tree ensemble (engine/tree/forest.ts's Forest), shared by gbdt, random_forest
// and decision_tree: its typed arrays as base64 strings, read back through checked readers and
// checked for consistency, so a damaged model fails on load with the field named, never in a walk.

import { validateForest, type Forest } from '../engine/tree/forest.js';
import { encodeTyped } from '../util/base64.js';
import type { JsonObject } from '../util/json.js';
import { stateError, type StateReader } from '../util/state-reader.js';

export function forestToJSON(f: Forest): JsonObject {
  return {
    nOut: f.nOut,
    nGroups: f.nGroups,
    feature: encodeTyped(f.feature),
    threshold: encodeTyped(f.threshold),
    left: encodeTyped(f.left),
    right: encodeTyped(f.right),
    value: encodeTyped(f.value),
    flags: encodeTyped(f.flags),
    gain: encodeTyped(f.gain),
    cover: encodeTyped(f.cover),
    catBits: encodeTyped(f.catBits),
    treeRoots: encodeTyped(f.treeRoots),
    treeGroup: encodeTyped(f.treeGroup),
  };
}

/** Reads a saved forest over `nFeatures` features; every problem names its field under `r.path`. */
export function forestFromJSON(r: StateReader, nFeatures: number): Forest {
  r.object();
  const f: Forest = {
    nOut: r.field('nOut').int({ min: 1 }),
    nGroups: r.field('nGroups').int({ min: 1 }),
    feature: r.field('feature').typed(Int32Array),
    // Thresholds of categorical splits are bitset offsets and leaves hold 0: only NaN is wrong here.
    threshold: notNaN(r.field('threshold')),
    left: r.field('left').typed(Int32Array),
    right: r.field('right').typed(Int32Array),
    value: r.field('value').typed(Float64Array),
    flags: r.field('flags').typed(Uint8Array),
    // Gain and cover only feed importance reports, so any float is accepted there.
    gain: r.field('gain').typed(Float64Array, { finite: false }),
    cover: r.field('cover').typed(Float64Array, { finite: false }),
    catBits: r.field('catBits').typed(Uint32Array),
    treeRoots: r.field('treeRoots').typed(Int32Array),
    treeGroup: r.field('treeGroup').typed(Int32Array),
  };
  const problem = validateForest(f, nFeatures);
  if (problem) throw stateError(r.path, `inconsistent (${problem})`, 'node, child and tree arrays that agree with each other');
  return f;
}

function notNaN(r: StateReader): Float64Array {
  const a = r.typed(Float64Array, { finite: false });
  for (let i = 0; i < a.length; i++) if (Number.isNaN(a[i]!)) throw stateError(`${r.path}[${i}]`, 'NaN', 'a number');
  return a;
}
