// Access control: with a token set (--token or SOMA_SERVE_TOKEN), every route but the health
// checks needs `Authorization: Bearer <token>`; none: 401 with WWW-Authenticate, a wrong one: 403.
// Tokens are compared in constant time (through their SHA-256, so lengths do not leak either).
// Requests never name files: models, versions and arms are looked up among those being served.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ServeError } from './errors.js';

export class TokenCheck {
  private readonly digest: Buffer | null;

  constructor(token: string | undefined) {
    this.digest = token ? sha(token) : null;
  }

  get enabled(): boolean {
    return this.digest !== null;
  }

  /** Throws HTTP_UNAUTHORIZED / HTTP_FORBIDDEN unless the request carries the token (or none is set). */
  check(req: IncomingMessage): void {
    if (!this.digest) return;
    const header = req.headers.authorization;
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) {
      throw new ServeError('HTTP_UNAUTHORIZED', 'this server needs a bearer token: send Authorization: Bearer <token>', {
        headers: { 'www-authenticate': 'Bearer realm="soma"' },
      });
    }
    if (!timingSafeEqual(sha(m[1]!), this.digest)) {
      throw new ServeError('HTTP_FORBIDDEN', 'the bearer token is not the one this server was started with', {
        headers: { 'www-authenticate': 'Bearer realm="soma", error="invalid_token"' },
      });
    }
  }
}

function sha(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
