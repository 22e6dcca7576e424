// The Redis behind a prediction queue (BullMQ): one check that the server answers before any
// queue or worker is made (ioredis would otherwise retry forever in silence), what a failure
// means for the user (unreachable, credentials refused), and connections as BullMQ wants them.

import { Redis } from 'ioredis';
import { SomaError } from '../errors.js';
import { redactUrl } from '../util/url.js';

export function checkQueueUrl(url: string): void {
  if (!/^rediss?:\/\//i.test(url)) {
    throw new SomaError('USAGE', `--queue: ${redactUrl(url)} is not a Redis URL`, { hint: 'use redis://[:password@]host[:port][/db]' });
  }
}

/** Pings the server once; a failure is a SomaError naming the URL without its password. */
export async function checkRedis(url: string): Promise<void> {
  checkQueueUrl(url);
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 10_000, enableOfflineQueue: false });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
  } catch (e) {
    throw redisError(e, url);
  } finally {
    probe.disconnect();
  }
}

/** A connection for BullMQ (its workers need maxRetriesPerRequest null). */
export function redisConnection(url: string): Redis {
  const c = new Redis(url, { maxRetriesPerRequest: null });
  c.on('error', () => {});
  return c;
}

export function redisError(e: unknown, url: string): SomaError {
  if (e instanceof SomaError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const shown = redactUrl(url);
  if (/NOAUTH|WRONGPASS|invalid password|AUTH/i.test(msg)) {
    return new SomaError('STORAGE_AUTH', `${shown}: Redis refused the credentials (${msg})`, { hint: 'check the password in the URL (redis://:password@host:port) and the server\'s requirepass / ACL', cause: e });
  }
  return new SomaError('STORAGE_UNREACHABLE', `${shown}: cannot reach the Redis server (${msg})`, { hint: 'check that redis-server runs and that host and port in the URL are right', cause: e });
}
