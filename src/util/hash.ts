// SHA-256 as hex, the one hash soma records: artifact checksums, config and data fingerprints,
// study fingerprints.

import { createHash } from 'node:crypto';

/** Hex SHA-256 of a string (as UTF-8) or bytes. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Hex SHA-256 of a stream of chunks (a file read piece by piece), without holding it whole. */
export async function sha256Stream(chunks: AsyncIterable<string | Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex');
}
