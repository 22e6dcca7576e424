// The HTTP plumbing every route shares, on node:http directly (measured faster than a framework
// for this work: one JSON body in, one JSON body out): reading a body under a size limit, writing
// JSON answers with their length, and splitting a request target into path segments and query.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ServeError } from './errors.js';

/** The request body, at most `limit` bytes; HTTP_BODY_TOO_LARGE as soon as it is known to be larger. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(tooLarge(Number(declared), limit));
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        failed = true;
        req.removeListener('data', onData);
        // Stop reading: the answer goes out with Connection: close, the rest is never read.
        req.pause();
        reject(tooLarge(size, limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.once('error', (e) => {
      if (!failed) reject(new ServeError('HTTP_BAD_REQUEST', `the request body could not be read: ${e.message}`));
    });
  });
}

function tooLarge(size: number, limit: number): ServeError {
  return new ServeError('HTTP_BODY_TOO_LARGE', `the request body is ${size > limit ? `over ${limit}` : size} bytes; the limit is ${limit} (--max-body)`, {
    hint: 'send fewer rows per request, or start the server with a larger --max-body',
    details: { limit },
    headers: { connection: 'close' },
  });
}

/** Writes `text` (already JSON) with its status and headers. */
export function sendText(res: ServerResponse, status: number, text: string, contentType: string, headers?: Readonly<Record<string, string>>): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const h: Record<string, string | number> = { 'content-type': contentType, 'content-length': Buffer.byteLength(text) };
  if (headers) for (const k in headers) h[k] = headers[k]!;
  res.writeHead(status, h);
  res.end(text);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Readonly<Record<string, string>>): void {
  sendText(res, status, JSON.stringify(body), 'application/json', headers);
}

/** A request target split once: decoded path segments (no empty ones) and the raw query. */
export interface Target {
  segments: string[];
  query: URLSearchParams;
}

export function parseTarget(url: string | undefined): Target {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  const pathPart = q < 0 ? raw : raw.slice(0, q);
  const segments: string[] = [];
  for (const s of pathPart.split('/')) {
    if (s === '') continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(s);
    } catch {
      throw new ServeError('HTTP_BAD_REQUEST', `the request path ${JSON.stringify(pathPart.slice(0, 200))} is not valid percent-encoding`);
    }
    segments.push(decoded);
  }
  return { segments, query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

/** The media type of a Content-Type header, lower case, without parameters ('' when absent). */
export function mediaType(req: IncomingMessage): { type: string; charset: string | undefined } {
  const header = req.headers['content-type'];
  if (!header) return { type: '', charset: undefined };
  const parts = header.split(';');
  let charset: string | undefined;
  for (let i = 1; i < parts.length; i++) {
    const [k, v] = parts[i]!.split('=');
    if (k?.trim().toLowerCase() === 'charset' && v !== undefined) charset = v.trim().replace(/^"|"$/g, '').toLowerCase();
  }
  return { type: parts[0]!.trim().toLowerCase(), charset };
}

/** Deepest nesting of arrays and objects a body may have: tables need 3 or 4 levels. */
export const MAX_JSON_DEPTH = 32;

/** The body parsed as JSON; 400 naming the problem when it does not parse or nests too deep. */
export function parseJsonBody(body: Buffer, what: string): unknown {
  if (body.length === 0) throw new ServeError('HTTP_BAD_REQUEST', `${what}: the request body is empty; expected a JSON object`);
  // Deeper values would reach recursive code (JSON.stringify of a cell) and its stack limit.
  if (nestsDeeper(body, MAX_JSON_DEPTH)) {
    throw new ServeError('HTTP_BAD_REQUEST', `${what}: the request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`);
  }
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (e) {
    throw new ServeError('HTTP_BAD_REQUEST', `${what}: the request body is not valid JSON (${(e as Error).message})`, {
      hint: 'send a JSON object with Content-Type: application/json',
    });
  }
}

/**
 * Whether JSON text opens more than `limit` arrays or objects inside each other, by one pass over
 * its bytes (brackets inside strings do not count), before anything is parsed or allocated.
 */
function nestsDeeper(text: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Sets an own, enumerable property, even one named __proto__ (which plain assignment would not create). */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  // defineProperty is slow; only the one key that assignment mishandles needs it.
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
