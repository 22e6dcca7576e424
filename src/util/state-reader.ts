// Checked reading of saved state (a model's `state`, a step's learned values): every read names the
// field by its path (`state.forest.threshold`, `state.features[3]`), what it got and what was
// expected, and fails with REGISTRY_INTEGRITY (exit 6), because saved state that does not read is
// a damaged or foreign artifact, never a user's input error. Loaders prefix the file the state
// came from (`withStateFile`), so a message names the file and the field.

import { SomaError } from '../errors.js';
import { decodeTyped, type TypedArray } from './base64.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';

type TypedArrayCtor<T extends TypedArray> = { new (buffer: ArrayBuffer, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number; name: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A short rendering of what a field held, for messages (long values are cut). */
export function shown(v: JsonValue | undefined): string {
  if (v === undefined) return 'missing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * Thrown by a reader: `${path} is ${got}; expected ${expected}` (the got part pre-rendered by
 * `shown`, or a phrase such as "3 values long"); the same three facts are in `details`.
 */
export function stateError(path: string, got: string, expected: string): SomaError {
  return new SomaError('REGISTRY_INTEGRITY', `${path} is ${got}; expected ${expected}`, {
    hint: 'the saved model was changed after it was written or comes from another program; register it again',
    details: { field: path, got, expected },
  });
}

/** One field of saved state, at `path`; each accessor checks the value and returns it typed. */
export class StateReader {
  constructor(
    readonly path: string,
    readonly value: JsonValue | undefined,
  ) {}

  fail(expected: string): never {
    throw stateError(this.path, shown(this.value), expected);
  }

  /** Whether the field is absent (or null): for fields that older formats did not write. */
  get absent(): boolean {
    return this.value === undefined || this.value === null;
  }

  /** This field, or null when it is absent: `st.field('rank').optional()?.int() ?? null`. */
  optional(): StateReader | null {
    return this.absent ? null : this;
  }

  field(key: string): StateReader {
    const o = this.object();
    return new StateReader(`${this.path}.${key}`, Object.hasOwn(o, key) ? o[key] : undefined);
  }

  object(): JsonObject {
    return isJsonObject(this.value) ? this.value : this.fail('an object');
  }

  list(): StateReader[] {
    if (!Array.isArray(this.value)) return this.fail('a list');
    return this.value.map((v, i) => new StateReader(`${this.path}[${i}]`, v));
  }

  string(): string {
    return typeof this.value === 'string' ? this.value : this.fail('a string');
  }

  /** One of the given strings. */
  oneOf<T extends string>(allowed: readonly T[]): T {
    const v = this.value;
    return typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : this.fail(`one of ${allowed.join(', ')}`);
  }

  bool(): boolean {
    return typeof this.value === 'boolean' ? this.value : this.fail('true or false');
  }

  /** A finite number within [min, max]. */
  number(range: { min?: number; max?: number } = {}): number {
    const v = this.value;
    if (typeof v === 'number' && Number.isFinite(v) && (range.min === undefined || v >= range.min) && (range.max === undefined || v <= range.max)) return v;
    return this.fail(`a finite number${rangeText(range)}`);
  }

  /** An integer within [min, max]. */
  int(range: { min?: number; max?: number } = {}): number {
    const v = this.value;
    if (typeof v === 'number' && Number.isInteger(v) && (range.min === undefined || v >= range.min) && (range.max === undefined || v <= range.max)) return v;
    return this.fail(`an integer${rangeText(range)}`);
  }

  /** A number, or null (a score that was never computed); NaN and infinities are not. */
  numberOrNull(): number | null {
    return this.value === null ? null : typeof this.value === 'number' && Number.isFinite(this.value) ? this.value : this.fail('a finite number or null');
  }

  strings(): string[] {
    const v = this.value;
    if (Array.isArray(v)) {
      const bad = v.findIndex((s) => typeof s !== 'string');
      if (bad < 0) return v as string[];
      return new StateReader(`${this.path}[${bad}]`, v[bad]).fail('a string');
    }
    return this.fail('a list of strings');
  }

  /** A list of finite numbers (of `length` entries when given). */
  numbers(length?: number): number[] {
    const v = this.value;
    if (!Array.isArray(v)) return this.fail('a list of numbers');
    if (length !== undefined && v.length !== length) this.fail(`a list of ${length} numbers`);
    const bad = v.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
    if (bad >= 0) new StateReader(`${this.path}[${bad}]`, v[bad]).fail('a finite number');
    return v as number[];
  }

  /**
   * A base64 typed array (as util/base64 writes them), of `length` elements when given; float
   * arrays must hold only finite values unless `finite` is false.
   */
  typed<T extends TypedArray>(ctor: TypedArrayCtor<T>, options: { length?: number; finite?: boolean } = {}): T {
    const what = `base64 ${ctor.name} data`;
    const s = this.value;
    if (typeof s !== 'string' || !BASE64.test(s) || s.length % 4 !== 0) return this.fail(what);
    const bytes = (s.length / 4) * 3 - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);
    if (bytes % ctor.BYTES_PER_ELEMENT !== 0) return this.fail(`${what} (${bytes} bytes is not a whole number of ${ctor.BYTES_PER_ELEMENT}-byte values)`);
    const out = decodeTyped(ctor, s);
    if (options.length !== undefined && out.length !== options.length) {
      throw stateError(this.path, `${out.length} values long`, `${what} of ${options.length} values`);
    }
    if (options.finite !== false && (out instanceof Float64Array || out instanceof Float32Array)) {
      for (let i = 0; i < out.length; i++) {
        if (!Number.isFinite(out[i]!)) throw stateError(`${this.path}[${i}]`, String(out[i]), 'a finite number');
      }
    }
    return out;
  }
}

function rangeText(r: { min?: number; max?: number }): string {
  const parts: string[] = [];
  if (r.min !== undefined) parts.push(`>= ${r.min}`);
  if (r.max !== undefined) parts.push(`<= ${r.max}`);
  return parts.length > 0 ? ` ${parts.join(' and ')}` : '';
}

/** The envelope every saved model and step has: `{kind, formatVersion, ...}` checked against what this soma reads. */
export function readEnvelope(json: unknown, kindKey: string, kind: string | readonly string[], formatVersions: readonly number[]): StateReader {
  const root = new StateReader('document', json as JsonValue);
  root.object();
  const k = root.field(kindKey);
  const kinds = typeof kind === 'string' ? [kind] : kind;
  if (!(typeof k.value === 'string' && kinds.includes(k.value))) throw stateError(kindKey, shown(k.value), kinds.length === 1 ? `"${kinds[0]}"` : `one of ${kinds.join(', ')}`);
  const fv = root.field('formatVersion').value;
  if (!(typeof fv === 'number' && formatVersions.includes(fv))) {
    throw stateError('formatVersion', shown(fv), `${formatVersions.join(' or ')} (the format versions this soma reads)`);
  }
  return new StateReader('state', (json as JsonObject)['state']);
}

/**
 * Runs a loader of saved state (sync or async) and prefixes the file to its errors: soma errors
 * raised while rebuilding saved state (a saved param out of range, an unknown step) are
 * integrity errors of that file. Errors that are not soma's pass through: they are bugs, not
 * damaged files.
 */
export function withStateFile<T>(file: string, load: () => T): T {
  let out: T;
  try {
    out = load();
  } catch (e) {
    throw inFile(file, e);
  }
  if (out instanceof Promise) return out.catch((e: unknown) => Promise.reject(inFile(file, e))) as T;
  return out;
}

function inFile(file: string, e: unknown): unknown {
  if (!(e instanceof SomaError)) return e;
  // A reader of a file beside this one (an mlp's layers files) names its own file.
  if (typeof e.details?.['file'] === 'string' && e.code === 'REGISTRY_INTEGRITY') return e;
  return new SomaError('REGISTRY_INTEGRITY', `${file}: ${e.message}`, {
    hint: e.hint ?? 'run soma models verify; register the model again if the file was changed',
    details: { file, ...(e.details ?? {}) },
    cause: e,
  });
}
