// What a wire protocol is to the server: how it reads a request body into rows, and how it words
// an answer and a failure. The route code is the same for every protocol (routes/predict.ts).

import type { IncomingMessage } from 'node:http';
import type { Problem } from '../errors.js';
import type { Answer, RequestRows } from '../input.js';

export type ProtocolName = 'soma' | 'v2' | 'mlflow';

export interface ParsedRequest {
  rows: RequestRows;
  /** Output columns the client asked for (V2 `outputs`); absent: all. */
  outputs?: string[];
  /** The client's request id (V2 `id`), echoed in the answer. */
  requestId?: string;
}

export interface Protocol {
  readonly name: ProtocolName;
  /** Reads the body; throws a ServeError or SomaError (a 4xx) when it is not this protocol's shape. */
  parse(body: Buffer, req: IncomingMessage): ParsedRequest;
  /** The answer's JSON body. */
  answer(answer: Answer, request: ParsedRequest): unknown;
  /** The JSON body of a failure. */
  error(problem: Problem): unknown;
}

/** A short description of a JSON value for messages: "an array", "a string (\"x\")". */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'absent';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v} (${JSON.stringify(v).slice(0, 40)})`;
}

/** The common error fields: soma's code, and the hint and details when there are any. */
export function problemFields(p: Problem): { code: string; hint?: string; details?: Record<string, unknown> } {
  return { code: p.code, ...(p.hint ? { hint: p.hint } : {}), ...(p.details ? { details: p.details } : {}) };
}
