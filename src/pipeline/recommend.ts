// `soma recommend`: top-k lists from a registered recommender for the users of a file (streamed
// to an output file in chunks of users), for one user, or for every known user; or the items
// most similar to one item. Unknown users and users without history get the most popular items
// and are counted (their rows are flagged in --json lists). The list for a set of ids is
// `recommendFor` (recommend/bundle.ts), which `soma serve` can call as well.

import { SomaError } from '../errors.js';
import { Frame } from '../data/frame.js';
import { readFrame } from '../data/read.js';
import { openFrameWriter } from '../data/write.js';
import { documents } from '../preprocess/text.js';
import { historyOf, loadRecommender, recommendFor, similarItems, type RecommendedItem, type UserList } from './recommend/bundle.js';

export { loadRecommender, recommendFor, similarItems, historyOf, type LoadedRecommender, type UserList, type RecommendedItem } from './recommend/bundle.js';

export interface RecommendOptions {
  ref: string;
  registryDir: string;
  /** A file with a column of user ids (the training's user column, or `userColumn`). */
  usersFile?: string;
  userColumn?: string;
  user?: string;
  allUsers?: boolean;
  similar?: string;
  k: number;
  excludeSeen: boolean;
  /** Where the lists go (user, rank, item, score); absent = returned in the result. */
  output?: string;
  onWarning?: (message: string) => void;
  onProgress?: (users: number, total: number) => void;
}

export interface RecommendResult {
  ref: string;
  id: string;
  version: string;
  k: number;
  users: number;
  rows: number;
  unknown_users: number;
  empty_histories: number;
  exclude_seen: boolean;
  output?: string;
  lists?: (UserList & { history?: { item: string; value: number }[] })[];
  similar?: { item: string; items: RecommendedItem[] };
}

/** Users per chunk when streaming lists to a file. */
const CHUNK_USERS = 4096;

export async function recommend(o: RecommendOptions): Promise<RecommendResult> {
  const modes = [o.usersFile !== undefined, o.user !== undefined, o.allUsers === true, o.similar !== undefined].filter(Boolean).length;
  if (modes !== 1) throw new SomaError('USAGE', 'give exactly one of --users FILE, --user ID, --all-users or --similar ITEM');
  if (!(Number.isInteger(o.k) && o.k >= 1)) throw new SomaError('USAGE', `--k ${o.k}: expected an integer >= 1`);
  const m = await loadRecommender(o.registryDir, o.ref);
  const base = { ref: o.ref, id: m.resolved.metadata.id, version: m.resolved.metadata.version, k: o.k, exclude_seen: o.excludeSeen };
  if (o.similar !== undefined) {
    const items = similarItems(m, o.similar, o.k);
    if (o.output) await writeRows(o.output, [{ user: o.similar, items }], 'item');
    return { ...base, users: 0, rows: items.length, unknown_users: 0, empty_histories: 0, ...(o.output ? { output: o.output } : {}), similar: { item: o.similar, items } };
  }
  let users: string[];
  if (o.user !== undefined) users = [o.user];
  else if (o.allUsers) users = m.catalog.users;
  else users = await readUsers(o.usersFile!, o.userColumn ?? String(m.resolved.metadata.features[0]?.name ?? 'user'));
  let unknown = 0;
  let empty = 0;
  let rows = 0;
  const count = (lists: UserList[]): void => {
    for (const l of lists) {
      if (l.fallback === 'unknown_user') unknown++;
      if (l.fallback === 'empty_history') empty++;
      rows += l.items.length;
    }
  };
  if (o.output) {
    const writer = await openFrameWriter(o.output);
    try {
      for (let a = 0; a < users.length; a += CHUNK_USERS) {
        const lists = await recommendFor(m, users.slice(a, a + CHUNK_USERS), o.k, { excludeSeen: o.excludeSeen });
        count(lists);
        await writer.append(listFrame(lists, 'user'));
        o.onProgress?.(Math.min(a + CHUNK_USERS, users.length), users.length);
      }
      await writer.close();
    } catch (e) {
      await writer.abort();
      throw e;
    }
  } else {
    const lists = await recommendFor(m, users, o.k, { excludeSeen: o.excludeSeen });
    count(lists);
    if (users.length > 1000) o.onWarning?.(`${users.length} lists are returned in memory: pass --output FILE to stream them to a file`);
    const fallbackNote = unknown + empty;
    if (fallbackNote > 0) o.onWarning?.(`${unknown} unknown user${unknown === 1 ? '' : 's'} and ${empty} with no history got the most popular items`);
    return { ...base, users: users.length, rows, unknown_users: unknown, empty_histories: empty, lists: lists.map((l) => (users.length <= 10 ? { ...l, history: historyOf(m, l.user).slice(-10) } : l)) };
  }
  if (unknown + empty > 0) o.onWarning?.(`${unknown} unknown user${unknown === 1 ? '' : 's'} and ${empty} with no history got the most popular items`);
  return { ...base, users: users.length, rows, unknown_users: unknown, empty_histories: empty, output: o.output };
}

async function readUsers(file: string, column: string): Promise<string[]> {
  const frame = await readFrame(file, { types: { [column]: 'categorical' } }).catch((e: unknown) => {
    if (e instanceof SomaError && e.code === 'DATA_MISSING_COLUMN') throw e;
    throw e;
  });
  const c = frame.column(column);
  if (!c) throw new SomaError('DATA_MISSING_COLUMN', `${file}: user column "${column}" not found (columns: ${frame.names.join(', ')})`, { hint: 'name the column with --user-column' });
  const out: string[] = [];
  let missing = 0;
  for (const d of documents(c)!) {
    if (d === null) missing++;
    else out.push(d);
  }
  if (missing > 0) throw new SomaError('DATA_BAD_VALUE', `${file}: ${missing} row${missing > 1 ? 's have' : ' has'} no user id in column "${column}"`);
  if (out.length === 0) throw new SomaError('DATA_EMPTY', `${file}: no users to recommend for`);
  return out;
}

/** Rows (user, rank, item, score) of some lists. */
function listFrame(lists: readonly UserList[], first: 'user' | 'item'): Frame {
  const n = lists.reduce((a, l) => a + l.items.length, 0);
  const who: string[] = [];
  const rank = new Float64Array(n);
  const item: string[] = [];
  const score = new Float64Array(n);
  let r = 0;
  for (const l of lists) {
    l.items.forEach((it, t) => {
      who.push(l.user);
      rank[r] = t + 1;
      item.push(it.item);
      score[r++] = it.score;
    });
  }
  const dict = (values: string[]) => {
    const d: string[] = [];
    const index = new Map<string, number>();
    const codes = Int32Array.from(values, (v) => {
      let k = index.get(v);
      if (k === undefined) (index.set(v, (k = d.length)), d.push(v));
      return k;
    });
    return { codes, dictionary: d };
  };
  return new Frame([
    { type: 'categorical', name: first, ...dict(who) },
    { type: 'numeric', name: 'rank', values: rank },
    { type: 'categorical', name: first === 'user' ? 'item' : 'similar_item', ...dict(item) },
    { type: 'numeric', name: 'score', values: score },
  ]);
}

async function writeRows(output: string, lists: UserList[], first: 'user' | 'item'): Promise<void> {
  const writer = await openFrameWriter(output);
  try {
    await writer.append(listFrame(lists, first));
    await writer.close();
  } catch (e) {
    await writer.abort();
    throw e;
  }
}
