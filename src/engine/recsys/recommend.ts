// Top-k lists for many users at once: each thread scores its users into its own buffer and
// keeps the k best unseen candidates (topk.ts). Above a size threshold the users are cut into
// two contiguous halves and the second half runs in a worker thread, so lists for a whole
// test population use both cores; the result is the same as on one thread.

import { Worker } from 'node:worker_threads';
import type { Csr } from './csr.js';
import { makeScorer, type ScorerSpec } from './scorers.js';
import { selectTopK, TopKBuffer } from './topk.js';
import { workerUrl } from '../worker-url.js';

export interface TopKRequest {
  spec: ScorerSpec;
  items: number;
  /** User rows to score (indices into the scorer's users). */
  users: Int32Array;
  k: number;
  /** Users x items: items to skip per user (their training history); rows indexed like `users`' values. */
  seen?: Csr;
  /** allowed[i] = 0 keeps item i out of every list (items the model cannot rank). */
  allowed?: Uint8Array;
}

export interface TopKLists {
  k: number;
  /** users x k items, -1 past the end of a short list. */
  items: Int32Array;
  /** users x k scores, NaN past the end. */
  scores: Float64Array;
}

/** Scores x users below which a worker costs more than it saves. */
const PARALLEL_WORK = 4_000_000;

/** Lists for users[from, to) on this thread, written from row `from`. */
export function topKRange(req: TopKRequest, from: number, to: number, out: TopKLists): void {
  const scorer = makeScorer(req.spec, req.items);
  const buf = new TopKBuffer(req.k);
  const scores = new Float64Array(req.items);
  const seen = req.seen;
  for (let r = from; r < to; r++) {
    const u = req.users[r]!;
    scorer.score(u, scores);
    if (seen && u < seen.rows) selectTopK(scores, req.k, buf, out.items, out.scores, r * req.k, seen.indices, seen.indptr[u]!, seen.indptr[u + 1]!, req.allowed);
    else selectTopK(scores, req.k, buf, out.items, out.scores, r * req.k, undefined, 0, 0, req.allowed);
  }
}

/** Lists for every user of the request; `threads` > 1 uses a worker for the second half. */
export async function topKLists(req: TopKRequest, threads = 2): Promise<TopKLists> {
  const n = req.users.length;
  const k = req.k;
  const out: TopKLists = { k, items: new Int32Array(n * k), scores: new Float64Array(n * k) };
  if (threads < 2 || n < 2 || n * req.items < PARALLEL_WORK) {
    topKRange(req, 0, n, out);
    return out;
  }
  const mid = n >> 1;
  const worker = new Worker(workerUrl(import.meta.url, './recommend-worker.js'), { workerData: { req, from: mid, to: n } });
  const done = new Promise<{ items: Int32Array; scores: Float64Array }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  try {
    topKRange(req, 0, mid, out);
    const part = await done;
    out.items.set(part.items, mid * k);
    out.scores.set(part.scores, mid * k);
  } finally {
    await worker.terminate();
  }
  return out;
}
