// Typed errors: every failure a user can cause carries a stable code and the documented exit code.

/** Exit codes, as DESIGN documents them for users and CI jobs. */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  data: 3,
  gate: 4,
  drift: 5,
  registry: 6,
  /** A server soma was pointed at (a study's PostgreSQL) is unreachable, refused us, or is too new. */
  service: 7,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Stable error codes, grouped by the exit code they map to. */
export type SomaErrorCode =
  | 'USAGE'
  | 'CONFIG_INVALID'
  | 'CONFIG_PARSE'
  | 'CONFIG_NOT_FOUND'
  | 'PARAM_INVALID'
  | 'DATA_NOT_FOUND'
  | 'DATA_UNREADABLE'
  | 'DATA_FORMAT'
  | 'DATA_MISSING_COLUMN'
  | 'DATA_BAD_VALUE'
  | 'DATA_EMPTY'
  | 'DATA_TOO_LARGE'
  | 'GATE_FAILED'
  | 'DRIFT'
  | 'REGISTRY_NOT_FOUND'
  | 'REGISTRY_CONFLICT'
  | 'REGISTRY_INTEGRITY'
  | 'REGISTRY_LOCKED'
  | 'STORAGE_UNREACHABLE'
  | 'STORAGE_AUTH'
  | 'STORAGE_SCHEMA'
  | 'ABORTED'
  | 'INTERNAL';

/** Whether `s` is one of soma's error codes (codes cross worker threads and journals as strings). */
export function isSomaErrorCode(s: string): s is SomaErrorCode {
  return Object.prototype.hasOwnProperty.call(exitCodeOf, s);
}

const exitCodeOf: Record<SomaErrorCode, ExitCode> = {
  USAGE: ExitCode.usage,
  CONFIG_INVALID: ExitCode.usage,
  CONFIG_PARSE: ExitCode.usage,
  CONFIG_NOT_FOUND: ExitCode.usage,
  PARAM_INVALID: ExitCode.usage,
  DATA_NOT_FOUND: ExitCode.data,
  DATA_UNREADABLE: ExitCode.data,
  DATA_FORMAT: ExitCode.data,
  DATA_MISSING_COLUMN: ExitCode.data,
  DATA_BAD_VALUE: ExitCode.data,
  DATA_EMPTY: ExitCode.data,
  DATA_TOO_LARGE: ExitCode.data,
  GATE_FAILED: ExitCode.gate,
  DRIFT: ExitCode.drift,
  REGISTRY_NOT_FOUND: ExitCode.registry,
  REGISTRY_CONFLICT: ExitCode.registry,
  REGISTRY_INTEGRITY: ExitCode.registry,
  REGISTRY_LOCKED: ExitCode.registry,
  STORAGE_UNREACHABLE: ExitCode.service,
  STORAGE_AUTH: ExitCode.service,
  STORAGE_SCHEMA: ExitCode.service,
  ABORTED: ExitCode.unexpected,
  INTERNAL: ExitCode.unexpected,
};

export class SomaError extends Error {
  readonly code: SomaErrorCode;
  readonly exitCode: ExitCode;
  /** What the user can do about it, printed on its own line. */
  readonly hint: string | undefined;
  /** Extra structured facts (file, column, values) for `--json` output. */
  readonly details: Record<string, unknown> | undefined;
  /**
   * The command already printed its result document (soma drift's verdict before exit 5): the
   * CLI then adds only the stderr line, so --json keeps one document on stdout.
   */
  readonly reported: boolean;

  constructor(code: SomaErrorCode, message: string, options: { hint?: string; details?: Record<string, unknown>; cause?: unknown; reported?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SomaError';
    this.code = code;
    this.exitCode = exitCodeOf[code];
    this.hint = options.hint;
    this.details = options.details;
    this.reported = options.reported ?? false;
  }
}

export function isSomaError(e: unknown): e is SomaError {
  return e instanceof SomaError;
}

/** A message for any thrown value, without losing SomaError's text. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
