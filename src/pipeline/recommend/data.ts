// The recommendation flow's data: the interactions file(s) read and coded (user and item ids to
// codes over one catalogue: every id of the interactions, the items file and the users file),
// rows without a user or item or with a bad rating left out with a warning, ratings outside
// `data.rating_range` refused, repeated pairs combined by `data.duplicates`, and the item
// attributes built from the items file.

import path from 'node:path';
import { SomaError } from '../../errors.js';
import { numericValues, type Column, type Frame } from '../../data/frame.js';
import { inspectColumns, readFrame } from '../../data/read.js';
import { groupInteractions, type GroupedInteractions } from '../../data/interactions.js';
import type { RecommendConfig, SideFileConfig } from '../../config/recommend.js';
import type { DataConfig } from '../../config/types.js';
import { documents } from '../../preprocess/text.js';
import { defaultAttributeColumns, itemAttributes, type ItemAttributes } from '../../preprocess/item-attributes.js';
import { sha256File } from '../../registry/checksums.js';
import { sha256 } from '../../util/hash.js';

export interface InteractionData {
  users: string[];
  items: string[];
  /** Grouped by user, repeated pairs combined. */
  grouped: GroupedInteractions;
  /** Which file each grouped interaction came from when train/validation/test files are given (0, 1, 2); undefined for one source. */
  part: Uint8Array | undefined;
  explicit: boolean;
  ratingRange: [number, number];
  attributes: ItemAttributes | undefined;
  /** A display label per item (the items file's first text column, e.g. a title), when there is one. */
  labels: string[] | undefined;
  /** Users listed in the users file. */
  listedUsers: number;
  source: string;
  sha256: string;
  rows: number;
  /** Interaction columns and their types, for the registry's feature list. */
  columns: { name: string; type: string }[];
}

/** Ids sorted with numbers numerically (1, 2, 10), then strings. */
function sortIds(ids: Iterable<string>): string[] {
  return [...ids].sort((a, b) => {
    const x = Number(a);
    const y = Number(b);
    if (a !== '' && b !== '' && !Number.isNaN(x) && !Number.isNaN(y)) return x - y || (a < b ? -1 : a > b ? 1 : 0);
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

function ids(c: Column): (string | null)[] {
  if (c.type === 'numeric' || c.type === 'datetime') return Array.from(numericValues(c), (v) => (Number.isNaN(v) ? null : String(v)));
  return documents(c)!;
}

export async function loadInteractions(d: DataConfig, r: RecommendConfig, configDir: string, warn: (m: string) => void): Promise<InteractionData> {
  const resolve = (p: string): string => (path.isAbsolute(p) ? p : path.join(configDir, p));
  const files = d.source !== undefined ? [d.source] : [d.train!, d.validation, d.test].filter((f): f is string => f !== undefined);
  const wanted: [string, string | undefined][] = [['data.user', r.user], ['data.item', r.item], ['data.rating', r.rating], ['data.weight', r.weight], ['data.time', r.time]];
  const frames: Frame[] = [];
  for (const f of files) {
    const present = new Set((await inspectColumns(resolve(f), d.format)).map((c) => c.name));
    const missing = wanted.filter(([, c]) => c !== undefined && !present.has(c));
    if (missing.length > 0) {
      throw new SomaError('DATA_MISSING_COLUMN', `${f}: ${missing.map(([k, c]) => `${k} column ${JSON.stringify(c)}`).join(', ')} not found (columns: ${[...present].join(', ')})`);
    }
    const columns = wanted.flatMap(([, c]) => (c === undefined ? [] : [c]));
    frames.push(await readFrame(resolve(f), { format: d.format, columns, types: { [r.user]: 'categorical', [r.item]: 'categorical' } }));
  }
  const itemsFrame = r.items ? await readSide(r.items, resolve, 'items') : undefined;
  const usersFrame = r.users ? await readSide(r.users, resolve, 'users') : undefined;

  // One catalogue over every file.
  const userSet = new Set<string>();
  const itemSet = new Set<string>();
  for (const f of frames) {
    for (const u of ids(f.column(r.user)!)) if (u !== null) userSet.add(u);
    for (const i of ids(f.column(r.item)!)) if (i !== null) itemSet.add(i);
  }
  if (itemsFrame) for (const i of ids(itemsFrame.column(r.items!.key)!)) if (i !== null) itemSet.add(i);
  let listedUsers = 0;
  if (usersFrame) for (const u of ids(usersFrame.column(r.users!.key)!)) if (u !== null) (userSet.add(u), listedUsers++);
  const users = sortIds(userSet);
  const items = sortIds(itemSet);
  const userCode = new Map(users.map((u, k) => [u, k]));
  const itemCode = new Map(items.map((i, k) => [i, k]));

  const explicit = r.rating !== undefined;
  const valueColumn = r.rating ?? r.weight;
  const n = frames.reduce((a, f) => a + f.rows, 0);
  const U = new Int32Array(n);
  const I = new Int32Array(n);
  const V = new Float64Array(n);
  const T = r.time ? new Float64Array(n) : undefined;
  const P = files.length > 1 ? new Uint8Array(n) : undefined;
  let kept = 0;
  let noId = 0;
  let badValue = 0;
  let lo = Infinity;
  let hi = -Infinity;
  frames.forEach((f, fi) => {
    const us = ids(f.column(r.user)!);
    const is = ids(f.column(r.item)!);
    const vc = valueColumn ? f.column(valueColumn)! : undefined;
    if (vc && vc.type !== 'numeric') throw new SomaError('DATA_BAD_VALUE', `${files[fi]}: ${explicit ? 'data.rating' : 'data.weight'} column "${valueColumn}" is ${vc.type} (expected numbers)`);
    const vs = vc ? numericValues(vc) : undefined;
    const tc = r.time ? f.column(r.time)! : undefined;
    if (tc && tc.type !== 'numeric' && tc.type !== 'datetime') throw new SomaError('DATA_BAD_VALUE', `${files[fi]}: data.time column "${r.time}" is ${tc.type} (expected a datetime or numeric column)`);
    const ts = tc ? numericValues(tc as Parameters<typeof numericValues>[0]) : undefined;
    for (let row = 0; row < f.rows; row++) {
      const u = us[row];
      const i = is[row];
      if (u === null || i === null || u === undefined || i === undefined) {
        noId++;
        continue;
      }
      const v = vs ? vs[row]! : 1;
      if (!Number.isFinite(v) || (!explicit && v < 0)) {
        badValue++;
        continue;
      }
      if (r.ratingRange && explicit && (v < r.ratingRange[0] || v > r.ratingRange[1])) {
        throw new SomaError('DATA_BAD_VALUE', `${files[fi]}: row ${row + 1}: rating ${v} of user ${u}, item ${i} is outside data.rating_range [${r.ratingRange[0]}, ${r.ratingRange[1]}]`, {
          hint: 'fix the rating, or widen data.rating_range',
          details: { file: files[fi], row: row + 1, rating: v },
        });
      }
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      U[kept] = userCode.get(u)!;
      I[kept] = itemCode.get(i)!;
      V[kept] = v;
      if (T) T[kept] = ts![row]!;
      if (P) P[kept] = fi;
      kept++;
    }
  });
  if (noId > 0) warn(`${noId} interaction${noId > 1 ? 's' : ''} without a user or item id were left out`);
  if (badValue > 0) warn(`${badValue} interaction${badValue > 1 ? 's' : ''} without a valid ${explicit ? 'rating' : 'weight'} (missing, not finite${explicit ? '' : ' or negative'}) were left out`);
  if (kept === 0) throw new SomaError('DATA_EMPTY', `${files.join(', ')}: no interactions with a user, an item${valueColumn ? ` and a ${explicit ? 'rating' : 'weight'}` : ''}`);
  const grouped = groupInteractions(U.subarray(0, kept), I.subarray(0, kept), V.subarray(0, kept), T?.subarray(0, kept), users.length, items.length, r.duplicates, {
    user: (u) => users[u]!,
    item: (i) => items[i]!,
  });
  if (grouped.duplicates > 0) warn(`${grouped.duplicates} repeated (user, item) interaction${grouped.duplicates > 1 ? 's were' : ' was'} combined (data.duplicates: ${r.duplicates})`);
  // Which file each grouped interaction came from: a pair's first occurrence decides (files do not repeat pairs in practice).
  let part: Uint8Array | undefined;
  if (P) {
    const key = new Map<number, number>();
    for (let e = 0; e < kept; e++) {
      const k = U[e]! * items.length + I[e]!;
      key.set(k, Math.max(key.get(k) ?? 0, P[e]!));
    }
    part = new Uint8Array(grouped.item.length);
    for (let u = 0; u < users.length; u++) for (let e = grouped.ptr[u]!; e < grouped.ptr[u + 1]!; e++) part[e] = key.get(u * items.length + grouped.item[e]!)!;
  }

  let attributes: ItemAttributes | undefined;
  let labels: string[] | undefined;
  if (itemsFrame && r.items) {
    const defaults = defaultAttributeColumns(itemsFrame, r.items.key, r.items.separator);
    const text = r.items.text ?? defaults.text;
    attributes = itemAttributes(itemsFrame, { key: r.items.key, text, attributes: r.items.attributes ?? defaults.attributes, numeric: r.items.numeric ?? defaults.numeric, separator: r.items.separator }, items.length, (id) => itemCode.get(id), r.items.source);
    const labelCol = text[0] !== undefined ? itemsFrame.column(text[0]) : undefined;
    if (labelCol) {
      labels = items.map(() => '');
      const keys = ids(itemsFrame.column(r.items.key)!);
      const docs = documents(labelCol)!;
      keys.forEach((k, row) => {
        const c = k === null ? undefined : itemCode.get(k);
        if (c !== undefined) labels![c] = docs[row] ?? '';
      });
    }
  }
  const sideFiles = [r.items?.source, r.users?.source].filter((f): f is string => f !== undefined);
  const hashes = await Promise.all([...files, ...sideFiles].map((f) => (/[*?[]/.test(f) ? Promise.resolve(`glob:${f}`) : sha256File(resolve(f)))));
  const columns = wanted.flatMap(([, c]) => (c === undefined ? [] : [{ name: c, type: frames[0]!.column(c)!.type }]));
  return {
    users,
    items,
    grouped,
    part,
    explicit,
    ratingRange: r.ratingRange ?? [lo, hi],
    attributes,
    labels,
    listedUsers,
    source: [...files, ...sideFiles].join(', '),
    sha256: sha256(hashes.join('\n')),
    rows: n,
    columns,
  };
}

async function readSide(s: SideFileConfig, resolve: (p: string) => string, what: string): Promise<Frame> {
  const file = resolve(s.source);
  const present = new Set((await inspectColumns(file)).map((c) => c.name));
  if (!present.has(s.key)) {
    throw new SomaError('DATA_MISSING_COLUMN', `${s.source}: data.${what} key column ${JSON.stringify(s.key)} not found (columns: ${[...present].join(', ')})`, { hint: `set data.${what}.key to the id column` });
  }
  return readFrame(file, { types: { [s.key]: 'categorical' } });
}
