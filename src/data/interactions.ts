// User-item interactions as coded typed arrays, grouped by user in time order, with repeated
// (user, item) pairs combined, and the per-user splits that do not leak: each user's latest
// share is test (time), a seeded random share (random) or the last interaction (last). A pair
// occurs once after grouping, so the same item can never be in a user's training and test
// parts; a user's test items are always newer than their training items under `time`.

import { SomaError } from '../errors.js';
import { Rng } from '../engine/random.js';

export type DuplicatePolicy = 'last' | 'mean' | 'sum' | 'max' | 'error';

/** Interactions grouped by user: user u's are rows ptr[u] .. ptr[u + 1], oldest first. */
export interface GroupedInteractions {
  users: number;
  items: number;
  ptr: Int32Array;
  item: Int32Array;
  value: Float64Array;
  /** Time of each interaction (NaN without a time column). */
  time: Float64Array;
  /** Rows dropped by combining repeated pairs. */
  duplicates: number;
}

/**
 * Groups coded interactions by user, ordered by (time, item) within a user (the anchor's order),
 * and combines repeated pairs: `last` keeps the latest value, `mean` / `sum` / `max` combine
 * them (at the latest time), `error` refuses them naming the first pair.
 */
export function groupInteractions(
  user: Int32Array,
  item: Int32Array,
  value: Float64Array,
  time: Float64Array | undefined,
  users: number,
  items: number,
  policy: DuplicatePolicy,
  names?: { user(u: number): string; item(i: number): string },
): GroupedInteractions {
  const n = user.length;
  const count = new Int32Array(users + 1);
  for (let r = 0; r < n; r++) count[user[r]! + 1]!++;
  for (let u = 0; u < users; u++) count[u + 1]! += count[u]!;
  const fill = count.slice(0, users);
  const order = new Int32Array(n);
  for (let r = 0; r < n; r++) order[fill[user[r]!]!++] = r;
  const t = (r: number): number => (time ? time[r]! : 0);
  const ptr = new Int32Array(users + 1);
  const outItem = new Int32Array(n);
  const outValue = new Float64Array(n);
  const outTime = new Float64Array(n);
  const slot = new Int32Array(items).fill(-1);
  const stamp = new Int32Array(items).fill(-1);
  const mult = new Int32Array(n);
  let o = 0;
  let duplicates = 0;
  const seg: number[] = [];
  for (let u = 0; u < users; u++) {
    seg.length = 0;
    for (let p = count[u]!; p < count[u + 1]!; p++) seg.push(order[p]!);
    seg.sort((a, b) => t(a) - t(b) || item[a]! - item[b]! || a - b);
    const start = o;
    for (const r of seg) {
      const i = item[r]!;
      if (stamp[i] === u) {
        // A repeat of a pair seen earlier (in time) for this user.
        duplicates++;
        if (policy === 'error') {
          throw new SomaError('DATA_BAD_VALUE', `interactions repeat the pair user ${names?.user(u) ?? u}, item ${names?.item(i) ?? i} (data.duplicates: error)`, {
            hint: 'set data.duplicates to last, mean, sum or max to combine repeated pairs',
          });
        }
        const s = slot[i]!;
        const v = value[r]!;
        outValue[s] = policy === 'last' ? v : policy === 'max' ? Math.max(outValue[s]!, v) : outValue[s]! + v;
        mult[s]!++;
        outTime[s] = Math.max(outTime[s]!, time ? time[r]! : NaN);
        continue;
      }
      stamp[i] = u;
      slot[i] = o;
      outItem[o] = i;
      outValue[o] = value[r]!;
      outTime[o] = time ? time[r]! : NaN;
      mult[o] = 1;
      o++;
    }
    if (policy === 'mean') for (let s = start; s < o; s++) outValue[s]! /= mult[s]!;
    // A combined pair takes the time of its latest occurrence: restore the (time, item) order.
    if (time && o - start > 1 && duplicates > 0) {
      const idx = Array.from({ length: o - start }, (_, k) => start + k).sort((a, b) => outTime[a]! - outTime[b]! || outItem[a]! - outItem[b]!);
      const it = idx.map((s) => outItem[s]!);
      const va = idx.map((s) => outValue[s]!);
      const ti = idx.map((s) => outTime[s]!);
      for (let k = 0; k < idx.length; k++) {
        outItem[start + k] = it[k]!;
        outValue[start + k] = va[k]!;
        outTime[start + k] = ti[k]!;
      }
    }
    ptr[u + 1] = o;
  }
  return { users, items, ptr, item: outItem.slice(0, o), value: outValue.slice(0, o), time: outTime.slice(0, o), duplicates };
}

export type InteractionSplitMethod = 'time' | 'random' | 'last';

export interface InteractionSplitOptions {
  method: InteractionSplitMethod;
  /** Share of each user's interactions held out for test (floor of share x count). */
  test: number;
  /** Share held out for validation, just before the test share (time) or beside it (random). */
  validation: number;
  /** Users with fewer interactions stay in training whole. */
  minInteractions: number;
  seed: number;
}

/** 0 = train, 1 = validation, 2 = test, per grouped interaction. */
export function splitInteractions(g: GroupedInteractions, o: InteractionSplitOptions): Uint8Array {
  const part = new Uint8Array(g.item.length);
  const rng = new Rng(o.seed);
  for (let u = 0; u < g.users; u++) {
    const a = g.ptr[u]!;
    const n = g.ptr[u + 1]! - a;
    if (n < o.minInteractions) continue;
    const nTest = o.method === 'last' ? 1 : Math.floor(o.test * n);
    const nVal = o.method === 'last' ? (o.validation > 0 ? 1 : 0) : Math.floor(o.validation * n);
    if (nTest + nVal >= n) continue;
    // Positions in time order (time, last), or a seeded shuffle of them (random).
    const pos = Int32Array.from({ length: n }, (_, k) => k);
    if (o.method === 'random') rng.shuffle(pos);
    for (let k = n - nTest; k < n; k++) part[a + pos[k]!] = 2;
    for (let k = n - nTest - nVal; k < n - nTest; k++) part[a + pos[k]!] = 1;
  }
  return part;
}
