// The heartbeat of a process working on a shared study, on its own thread with its own
// connection: a trial trains synchronously on the main thread (n_jobs 1), which would starve a
// timer there, and a missed heartbeat would get a live trial taken away. Every `intervalMs` it
// stamps this worker's running trials; when the process dies, so does the thread, and the stamps
// stop (what lets others find the trials after search.heartbeat_timeout).

import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';

interface HeartbeatData {
  url: string;
  worker: string;
  intervalMs: number;
}

const { url, worker, intervalMs } = workerData as HeartbeatData;
let client: pg.Client | undefined;
let busy = false;

async function beat(): Promise<void> {
  // One beat at a time: a slow connect (SCRAM authentication on a loaded machine takes a while)
  // must not pile up connections, each abandoned before it could beat.
  if (busy) return;
  busy = true;
  try {
    if (!client) {
      client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 30_000, application_name: 'soma heartbeat' });
      client.on('error', () => {
        client = undefined;
      });
      await client.connect();
    }
    await client.query(`UPDATE soma_trials SET heartbeat_at = now() WHERE worker = $1 AND state = 'running'`, [worker]);
  } catch {
    // A missed beat is retried at the next interval; only several in a row make the trial stale.
    const c = client;
    client = undefined;
    await c?.end().catch(() => {});
  } finally {
    busy = false;
  }
}

// The first beat at once: the connection is then ready long before the trial could look stale.
void beat();

const timer = setInterval(() => void beat(), intervalMs);
parentPort?.on('message', (m: unknown) => {
  if (m === 'stop') {
    clearInterval(timer);
    void (client?.end() ?? Promise.resolve()).catch(() => {}).finally(() => process.exit(0));
  }
});
