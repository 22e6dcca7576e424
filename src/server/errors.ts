// HTTP statuses for every failure, in one table, as the CLI maps error codes to exit codes: a
// SomaError keeps its code (a bad value in a request is DATA_BAD_VALUE, worded as `soma predict`
// words it), and the failures only HTTP has (a body too large, a full queue, a missing token, an
// unknown route) are ServeErrors with codes of their own. Anything else thrown while answering is
// a bug in soma: 500 INTERNAL, and the server goes on serving.

import { isSomaError, type SomaErrorCode } from '../errors.js';

/** Failures of the HTTP layer itself, beside the SomaError codes. */
export type ServeErrorCode =
  | 'HTTP_BAD_REQUEST'
  | 'HTTP_NOT_FOUND'
  | 'HTTP_METHOD_NOT_ALLOWED'
  | 'HTTP_BODY_TOO_LARGE'
  | 'HTTP_UNSUPPORTED_MEDIA_TYPE'
  | 'HTTP_UNAUTHORIZED'
  | 'HTTP_FORBIDDEN'
  | 'HTTP_QUEUE_FULL'
  | 'HTTP_NOT_READY'
  | 'HTTP_SHUTTING_DOWN';

export type ErrorCode = SomaErrorCode | ServeErrorCode;

/** The one table: an error's code -> the status it is answered with. */
const STATUS: Record<ErrorCode, number> = {
  // The request's shape (malformed JSON, not the protocol's fields): 400.
  USAGE: 400,
  DATA_FORMAT: 400,
  DATA_NOT_FOUND: 400,
  DATA_UNREADABLE: 400,
  HTTP_BAD_REQUEST: 400,
  // Well-formed but not what the model takes (a missing column, text in a numeric column, an
  // unseen category under handle_unknown: error, no rows): 422.
  DATA_MISSING_COLUMN: 422,
  DATA_BAD_VALUE: 422,
  DATA_EMPTY: 422,
  DATA_TOO_LARGE: 413,
  PARAM_INVALID: 422,
  CONFIG_INVALID: 422,
  CONFIG_PARSE: 422,
  CONFIG_NOT_FOUND: 422,
  GATE_FAILED: 422,
  DRIFT: 422,
  // An unknown model, version or route.
  REGISTRY_NOT_FOUND: 404,
  HTTP_NOT_FOUND: 404,
  HTTP_METHOD_NOT_ALLOWED: 405,
  HTTP_BODY_TOO_LARGE: 413,
  HTTP_UNSUPPORTED_MEDIA_TYPE: 415,
  HTTP_UNAUTHORIZED: 401,
  HTTP_FORBIDDEN: 403,
  REGISTRY_CONFLICT: 409,
  // The server cannot answer now, but will: a full queue, a model still loading, shutdown.
  HTTP_QUEUE_FULL: 503,
  HTTP_NOT_READY: 503,
  HTTP_SHUTTING_DOWN: 503,
  REGISTRY_LOCKED: 503,
  REGISTRY_INTEGRITY: 503,
  // A study's or queue's server soma depends on is down, refused us, or holds a newer schema.
  STORAGE_UNREACHABLE: 503,
  STORAGE_AUTH: 503,
  STORAGE_SCHEMA: 503,
  ABORTED: 503,
  // A bug in soma.
  INTERNAL: 500,
};

/** A failure of the HTTP layer; `headers` go out with the answer (Retry-After, WWW-Authenticate, Allow). */
export class ServeError extends Error {
  constructor(
    readonly code: ServeErrorCode,
    message: string,
    readonly options: { hint?: string; details?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'ServeError';
  }
}

/** What an answer says about a failure, whatever the protocol wraps it in. */
export interface Problem {
  status: number;
  code: ErrorCode;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** True for a bug in soma (status 500): the stack goes to the server's log. */
  internal: boolean;
}

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

/** Any thrown value as the problem to answer with. */
export function problemOf(e: unknown): Problem {
  if (e instanceof ServeError) {
    return {
      status: STATUS[e.code],
      code: e.code,
      message: e.message,
      ...(e.options.hint ? { hint: e.options.hint } : {}),
      ...(e.options.details ? { details: e.options.details } : {}),
      ...(e.options.headers ? { headers: e.options.headers } : {}),
      internal: false,
    };
  }
  if (isSomaError(e)) {
    const status = STATUS[e.code] ?? 500;
    return {
      status,
      code: e.code,
      message: e.message,
      ...(e.hint ? { hint: e.hint } : {}),
      ...(e.details ? { details: e.details } : {}),
      internal: status === 500,
    };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { status: 500, code: 'INTERNAL', message: `internal error: ${message}`, hint: 'this is a bug in soma; the server log has the stack', internal: true };
}
