// worker_threads entry for parallel prediction (predict-parallel.ts): holds the latest forest it
// was sent and, for each job, claims chunks of the shared rows until none are left.

import { parentPort } from 'node:worker_threads';
import { runChunks, type ForestMessage, type PredictJob } from './predict-parallel.js';
import type { Forest } from './forest.js';

let forestId = 0;
let forest: Forest | null = null;

parentPort!.on('message', (m: ForestMessage | PredictJob) => {
  if (m.kind === 'forest') {
    forestId = m.forestId;
    forest = m.forest;
  } else if (forest && m.forestId === forestId) {
    runChunks(forest, m);
  }
});
