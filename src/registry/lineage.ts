// Git lineage for metadata: the commit a model was trained from and whether the tree was dirty.
// Never fails: outside a repository, or when a fact cannot be read safely, it is null.
//
// Nothing is run: `git` itself would execute what the repository's configuration names
// (`core.fsmonitor`, filter drivers, hooks, `diff.external`, a pager), so a checkout someone else
// prepared could run code on every `soma train`. Instead the files are read directly:
// - the commit: HEAD, then the loose ref or `packed-refs` it names (worktrees through `commondir`);
// - dirty: every tracked file is compared with its index entry (size and mtime, then the blob
//   hash of its content when those changed), and the index with HEAD by hashing the tree the
//   index would commit (as `git write-tree`) against HEAD's tree. When a question cannot be
//   answered without running git (a commit stored as a delta in a pack, attributes or eol
//   settings that may change content, a split or v4 index), dirty is null: unknown, never a guess.

import { createHash } from 'node:crypto';
import { closeSync, existsSync, lstatSync, openSync, readFileSync, readSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';

export interface GitLineage {
  git_commit: string | null;
  git_dirty: boolean | null;
}

const UNKNOWN: GitLineage = { git_commit: null, git_dirty: null };

export async function gitLineage(cwd: string): Promise<GitLineage> {
  try {
    const repo = findRepository(cwd);
    if (!repo) return UNKNOWN;
    const commit = readHead(repo);
    let dirty: boolean | null;
    try {
      dirty = isDirty(repo, commit);
    } catch {
      dirty = null;
    }
    return { git_commit: commit, git_dirty: dirty };
  } catch {
    return UNKNOWN;
  }
}

interface Repository {
  /** The working tree's root. */
  work: string;
  /** This worktree's git directory (HEAD, index). */
  gitDir: string;
  /** The shared git directory (refs, packed-refs, objects). */
  commonDir: string;
}

function findRepository(start: string): Repository | undefined {
  let dir = path.resolve(start);
  if (!existsSync(dir)) return undefined;
  for (;;) {
    const dotGit = path.join(dir, '.git');
    const st = statOrUndefined(dotGit);
    if (st?.isDirectory() && existsSync(path.join(dotGit, 'HEAD'))) return withCommon(dir, dotGit);
    if (st?.isFile()) {
      // A worktree or submodule: `.git` is a file `gitdir: <path>`.
      const m = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotGit, 'utf8'));
      if (m) return withCommon(dir, path.resolve(dir, m[1]!));
      return undefined;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function withCommon(work: string, gitDir: string): Repository {
  const commonFile = path.join(gitDir, 'commondir');
  const commonDir = existsSync(commonFile) ? path.resolve(gitDir, readFileSync(commonFile, 'utf8').trim()) : gitDir;
  return { work, gitDir, commonDir };
}

function statOrUndefined(p: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

const HASH = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** HEAD's commit, following symbolic refs to a loose ref or `packed-refs`; null when unborn. */
function readHead(repo: Repository): string | null {
  let content = readFileSync(path.join(repo.gitDir, 'HEAD'), 'utf8').trim();
  for (let depth = 0; depth < 8; depth++) {
    if (HASH.test(content)) return content;
    const m = /^ref:\s*(refs\/\S+)$/.exec(content);
    if (!m) return null;
    const ref = m[1]!;
    if (ref.split('/').includes('..')) return null;
    // Per-worktree refs (HEAD's own) live in gitDir, branches and tags in the common directory.
    const loose = [path.join(repo.gitDir, ref), path.join(repo.commonDir, ref)].find((p) => statOrUndefined(p)?.isFile());
    if (loose) {
      content = readFileSync(loose, 'utf8').trim();
      continue;
    }
    return packedRef(repo.commonDir, ref);
  }
  return null;
}

function packedRef(commonDir: string, ref: string): string | null {
  const file = path.join(commonDir, 'packed-refs');
  if (!existsSync(file)) return null;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('#') || line.startsWith('^')) continue;
    const sp = line.indexOf(' ');
    if (sp > 0 && line.slice(sp + 1).trim() === ref) {
      const hash = line.slice(0, sp);
      return HASH.test(hash) ? hash : null;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Dirty: working tree against the index, the index against HEAD.

interface IndexEntry {
  name: string;
  mode: number;
  mtimeS: number;
  mtimeNs: number;
  size: number;
  hash: string;
  stage: number;
  skipWorktree: boolean;
  intentToAdd: boolean;
}

interface ParsedIndex {
  entries: IndexEntry[];
}

function isDirty(repo: Repository, commit: string | null): boolean | null {
  const indexFile = path.join(repo.gitDir, 'index');
  if (!existsSync(indexFile)) return commit === null ? false : null;
  const index = parseIndex(readFileSync(indexFile), commit === null ? 40 : commit.length);
  if (!index) return null;
  const filtered = contentMayBeFiltered(repo);
  let unknown = false;
  for (const e of index.entries) {
    if (e.stage !== 0 || e.intentToAdd) return true; // a conflict, or `git add -N`
    if (e.skipWorktree) continue;
    if ((e.mode & 0o170000) === 0o160000) continue; // a submodule: its own repository
    const file = path.join(repo.work, e.name);
    let st;
    try {
      st = lstatSync(file, { bigint: true });
    } catch {
      return true; // deleted
    }
    const sizeMatches = Number(st.size & 0xffffffffn) === e.size;
    const mtimeMatches = Number(st.mtimeNs / 1_000_000_000n) === e.mtimeS && Number(st.mtimeNs % 1_000_000_000n) === e.mtimeNs;
    if (sizeMatches && mtimeMatches) continue;
    if (!sizeMatches && !filtered) return true;
    const content = st.isSymbolicLink() ? Buffer.from(readlinkSync(file)) : readFileSync(file);
    if (blobHash(content, e.hash.length) === e.hash) continue;
    // Attributes or autocrlf may turn the same blob into other bytes on disk: only git could say.
    if (filtered) unknown = true;
    else return true;
  }
  if (unknown) return null;
  if (commit === null) return index.entries.length > 0;
  const tree = commitTree(repo.commonDir, commit);
  if (tree === undefined) return null;
  return tree !== indexTree(index.entries, commit.length);
}

/** Whether the checkout's bytes may differ from the blobs (attributes, eol conversion). */
function contentMayBeFiltered(repo: Repository): boolean {
  if (existsSync(path.join(repo.commonDir, 'info', 'attributes'))) return true;
  if (existsSync(path.join(repo.work, '.gitattributes'))) return true;
  const config = path.join(repo.commonDir, 'config');
  if (existsSync(config) && /^\s*(autocrlf|eol)\s*=/im.test(readFileSync(config, 'utf8'))) return true;
  return false;
}

function blobHash(content: Buffer, hexLength: number): string {
  const h = createHash(hexLength === 64 ? 'sha256' : 'sha1');
  h.update(`blob ${content.length}\0`);
  h.update(content);
  return h.digest('hex');
}

/** Index versions 2 and 3 (what git writes unless asked for v4 or a split index). */
function parseIndex(buf: Buffer, hexLength: number): ParsedIndex | undefined {
  if (buf.length < 12 || buf.toString('latin1', 0, 4) !== 'DIRC') return undefined;
  const version = buf.readUInt32BE(4);
  if (version !== 2 && version !== 3) return undefined;
  const count = buf.readUInt32BE(8);
  const hashBytes = hexLength / 2;
  const entries: IndexEntry[] = [];
  let off = 12;
  for (let i = 0; i < count; i++) {
    const start = off;
    const mtimeS = buf.readUInt32BE(off + 8);
    const mtimeNs = buf.readUInt32BE(off + 12);
    const mode = buf.readUInt32BE(off + 24);
    const size = buf.readUInt32BE(off + 36);
    const hash = buf.toString('hex', off + 40, off + 40 + hashBytes);
    off += 40 + hashBytes;
    const flags = buf.readUInt16BE(off);
    off += 2;
    let extended = 0;
    if (flags & 0x4000) {
      if (version < 3) return undefined;
      extended = buf.readUInt16BE(off);
      off += 2;
    }
    const nul = buf.indexOf(0, off);
    if (nul < 0) return undefined;
    const name = buf.toString('utf8', off, nul);
    off = nul;
    // Entries are NUL-padded to a multiple of 8 bytes (1 to 8 NULs).
    const len = off - start;
    off = start + Math.ceil((len + 1) / 8) * 8;
    entries.push({ name, mode, mtimeS, mtimeNs, size, hash, stage: (flags >> 12) & 3, skipWorktree: (extended & 0x4000) !== 0, intentToAdd: (extended & 0x2000) !== 0 });
  }
  const end = buf.length - hashBytes;
  while (off + 8 <= end) {
    const sig = buf.toString('latin1', off, off + 4);
    if (sig === 'link') return undefined; // a split index: the entries above are not all of them
    off += 8 + buf.readUInt32BE(off + 4);
  }
  return { entries };
}

/**
 * The hash of the tree the index would commit: tree objects built from the entries, as
 * `git write-tree` does. Index order (bytewise by full path) is git's tree order.
 */
function indexTree(entries: readonly IndexEntry[], hexLength: number): string {
  const algo = hexLength === 64 ? 'sha256' : 'sha1';
  const build = (items: readonly { rest: string; e: IndexEntry }[]): string => {
    const parts: Buffer[] = [];
    for (let i = 0; i < items.length; ) {
      const { rest, e } = items[i]!;
      const slash = rest.indexOf('/');
      if (slash < 0) {
        parts.push(Buffer.from(`${e.mode.toString(8)} ${rest}\0`), Buffer.from(e.hash, 'hex'));
        i++;
        continue;
      }
      const dir = rest.slice(0, slash);
      const children: { rest: string; e: IndexEntry }[] = [];
      while (i < items.length && items[i]!.rest.startsWith(`${dir}/`)) {
        children.push({ rest: items[i]!.rest.slice(slash + 1), e: items[i]!.e });
        i++;
      }
      parts.push(Buffer.from(`40000 ${dir}\0`), Buffer.from(build(children), 'hex'));
    }
    const body = Buffer.concat(parts);
    return createHash(algo).update(`tree ${body.length}\0`).update(body).digest('hex');
  };
  return build(entries.map((e) => ({ rest: e.name, e })));
}


// ---------------------------------------------------------------------------------------------
// HEAD's tree hash from the object store: a loose object, or a whole (not deltified) pack entry.

function commitTree(commonDir: string, commit: string): string | undefined {
  const body = readObject(path.join(commonDir, 'objects'), commit);
  if (!body) return undefined;
  const m = /^tree ([0-9a-f]{40,64})\n/.exec(body.toString('latin1', 0, 200));
  return m?.[1];
}

function readObject(objects: string, hash: string): Buffer | undefined {
  const loose = path.join(objects, hash.slice(0, 2), hash.slice(2));
  if (existsSync(loose)) {
    const raw = inflateSync(readFileSync(loose));
    const nul = raw.indexOf(0);
    if (!raw.toString('latin1', 0, nul).startsWith('commit ')) return undefined;
    return raw.subarray(nul + 1);
  }
  const packDir = path.join(objects, 'pack');
  if (!existsSync(packDir)) return undefined;
  for (const idx of readdirSync(packDir).filter((f) => f.endsWith('.idx'))) {
    const offset = packOffset(readFileSync(path.join(packDir, idx)), hash);
    if (offset !== undefined) return packedCommit(path.join(packDir, idx.replace(/\.idx$/, '.pack')), offset);
  }
  return undefined;
}

/** The object's offset in its pack, from a version 2 pack index. */
function packOffset(idx: Buffer, hash: string): number | undefined {
  if (idx.readUInt32BE(0) !== 0xff744f63 || idx.readUInt32BE(4) !== 2) return undefined;
  const hashBytes = hash.length / 2;
  const want = Buffer.from(hash, 'hex');
  const fan = 8;
  const first = want[0]!;
  const lo0 = first === 0 ? 0 : idx.readUInt32BE(fan + (first - 1) * 4);
  const hi0 = idx.readUInt32BE(fan + first * 4);
  const total = idx.readUInt32BE(fan + 255 * 4);
  const names = fan + 256 * 4;
  let lo = lo0;
  let hi = hi0;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const cmp = idx.compare(want, 0, hashBytes, names + mid * hashBytes, names + (mid + 1) * hashBytes);
    if (cmp === 0) {
      const offsets = names + total * hashBytes + total * 4; // after names and CRCs
      const off = idx.readUInt32BE(offsets + mid * 4);
      if (off & 0x80000000) return undefined; // a pack past 2 GiB: not worth the large-offset table here
      return off;
    }
    if (cmp < 0) lo = mid + 1;
    else hi = mid;
  }
  return undefined;
}

function packedCommit(pack: string, offset: number): Buffer | undefined {
  const fd = openSync(pack, 'r');
  try {
    const head = Buffer.alloc(4096);
    const n = readSync(fd, head, 0, head.length, offset);
    let p = 0;
    let byte = head[p++]!;
    const type = (byte >> 4) & 7;
    let size = byte & 15;
    let shift = 4;
    while (byte & 0x80 && p < n) {
      byte = head[p++]!;
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    }
    if (type !== 1) return undefined; // a delta (or not a commit): only git resolves it cheaply
    // A commit's header is far shorter than this; inflate what is there, tolerating the cut.
    const more = Buffer.alloc(Math.min(size + 1024, 1 << 20));
    const m = readSync(fd, more, 0, more.length, offset + p);
    return inflateSync(more.subarray(0, m), { finishFlush: 2 /* Z_SYNC_FLUSH */ });
  } finally {
    closeSync(fd);
  }
}
