// The entry point of a `soma serve --workers N` worker process (started by cluster.ts).

import { runWorker } from './cluster.js';

await runWorker();
