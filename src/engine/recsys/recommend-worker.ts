// worker_threads entry for topKLists: computes the lists of users[from, to) and posts them back.

import { parentPort, workerData } from 'node:worker_threads';
import { topKRange, type TopKLists, type TopKRequest } from './recommend.js';

const { req, from, to } = workerData as { req: TopKRequest; from: number; to: number };
const n = to - from;
const lists: TopKLists = { k: req.k, items: new Int32Array(n * req.k), scores: new Float64Array(n * req.k) };
// topKRange writes from row `from`: score a shifted view of the users instead.
topKRange({ ...req, users: req.users.subarray(from, to) }, 0, n, lists);
parentPort!.postMessage({ items: lists.items, scores: lists.scores }, [lists.items.buffer as ArrayBuffer, lists.scores.buffer as ArrayBuffer]);
