// Plain x.y.z semantic versions for registered models: parse, compare, bump, and the small range
// language REFs use (exact, ^, ~, x-ranges). No prerelease or build tags: a model version is a
// release or it is not registered.

import { SomaError } from '../errors.js';

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
}

export type BumpLevel = 'major' | 'minor' | 'patch';

// No leading zeros, as semver.org requires, so "1.02.0" and "1.2.0" can never both exist.
const VERSION_RE = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

const ACCEPTED_VERSION = 'a version is MAJOR.MINOR.PATCH with non-negative integers and no leading zeros, e.g. 1.2.0';

/** True when `s` is a plain x.y.z version. */
export function isVersion(s: string): boolean {
  return tryParseVersion(s) !== undefined;
}

/** Parses x.y.z; undefined for anything else (no throw: callers use it to classify strings). */
function tryParseVersion(s: string): SemVer | undefined {
  const m = VERSION_RE.exec(s);
  if (!m) return undefined;
  const parts = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Beyond 2^53 the numbers would compare wrongly; nobody needs such versions.
  if (!parts.every(Number.isSafeInteger)) return undefined;
  return { major: parts[0]!, minor: parts[1]!, patch: parts[2]! };
}

/** Parses x.y.z or throws SomaError USAGE naming the value and the accepted form. */
export function parseVersion(s: string, what = 'version'): SemVer {
  const v = tryParseVersion(s);
  if (v) return v;
  let hint = ACCEPTED_VERSION;
  if (/^v\d/i.test(s)) hint = `write it without the leading 'v': ${s.slice(1)}`;
  else if (/^\d+(\.\d+)?$/.test(s)) hint = `give all three parts, e.g. ${s}${s.includes('.') ? '.0' : '.0.0'}`;
  else if (/[-+]/.test(s)) hint = 'prerelease and build tags (-rc.1, +build) are not supported; ' + ACCEPTED_VERSION;
  throw new SomaError('USAGE', `invalid ${what} '${s}': ${ACCEPTED_VERSION}`, { hint, details: { value: s } });
}

export function formatVersion(v: SemVer): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

function asSemVer(v: SemVer | string): SemVer {
  return typeof v === 'string' ? parseVersion(v) : v;
}

/** Negative, zero or positive, as Array.prototype.sort expects. */
export function compareVersions(a: SemVer | string, b: SemVer | string): number {
  const x = asSemVer(a);
  const y = asSemVer(b);
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}

/** Ascending copy; throws on any string that is not x.y.z. */
export function sortVersions(versions: readonly string[]): string[] {
  return [...versions].sort(compareVersions);
}

export function bump(v: SemVer | string, level: BumpLevel): string {
  const x = asSemVer(v);
  switch (level) {
    case 'major':
      return formatVersion({ major: x.major + 1, minor: 0, patch: 0 });
    case 'minor':
      return formatVersion({ major: x.major, minor: x.minor + 1, patch: 0 });
    case 'patch':
      return formatVersion({ major: x.major, minor: x.minor, patch: x.patch + 1 });
  }
}

export function isBumpLevel(s: string): s is BumpLevel {
  return s === 'major' || s === 'minor' || s === 'patch';
}

// ---------------------------------------------------------------------------------------------
// Ranges

/** A parsed range: the half-open interval [min, max) of versions it accepts (max undefined = no bound). */
export interface VersionRange {
  raw: string;
  min: SemVer;
  max: SemVer | undefined;
}

export const RANGE_FORMS = ['1.2.0 (exact)', '^1.2 or ^1.2.3 (same major)', '~1.2 or ~1.2.3 (same minor)', '1.x, 1.2.x, 1 or 1.2 (wildcards)', '* (any)'];

const NUM = '(0|[1-9]\\d*)';
const X = '[xX*]';
const CARET_RE = new RegExp(`^\\^${NUM}(?:\\.${NUM}(?:\\.${NUM})?)?$`);
const TILDE_RE = new RegExp(`^~${NUM}(?:\\.${NUM}(?:\\.${NUM})?)?$`);
// "1", "1.2", "1.x", "1.x.x", "1.2.x", "*", "x"
const XRANGE_RE = new RegExp(`^(?:${X}(?:\\.${X}){0,2}|${NUM}(?:\\.(?:${NUM}|${X})(?:\\.${X})?)?|${NUM}\\.${X}\\.${X})$`);

function num(s: string | undefined): number | undefined {
  if (s === undefined || /^[xX*]$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

function v3(major: number, minor = 0, patch = 0): SemVer {
  return { major, minor, patch };
}

/** Parses a range without throwing; undefined when `s` is not one of RANGE_FORMS. */
export function tryParseRange(s: string): VersionRange | undefined {
  const exact = tryParseVersion(s);
  if (exact) return { raw: s, min: exact, max: bumpSemVer(exact, 'patch') };

  let m = CARET_RE.exec(s);
  if (m) {
    // npm semantics: ^ allows changes that do not modify the left-most non-zero part given.
    const [major, minor, patch] = [num(m[1])!, num(m[2]), num(m[3])];
    const min = v3(major, minor ?? 0, patch ?? 0);
    let max: SemVer;
    if (major > 0 || minor === undefined) max = v3(major + 1);
    else if (minor > 0 || patch === undefined) max = v3(0, minor + 1);
    else max = v3(0, 0, patch + 1);
    return { raw: s, min, max };
  }

  m = TILDE_RE.exec(s);
  if (m) {
    const [major, minor, patch] = [num(m[1])!, num(m[2]), num(m[3])];
    const min = v3(major, minor ?? 0, patch ?? 0);
    const max = minor === undefined ? v3(major + 1) : v3(major, minor + 1);
    return { raw: s, min, max };
  }

  if (XRANGE_RE.test(s)) {
    const parts = s.split('.');
    const major = num(parts[0]);
    const minor = num(parts[1]);
    if (major === undefined) return { raw: s, min: v3(0), max: undefined };
    if (minor === undefined) return { raw: s, min: v3(major), max: v3(major + 1) };
    return { raw: s, min: v3(major, minor), max: v3(major, minor + 1) };
  }
  return undefined;
}

function bumpSemVer(v: SemVer, level: BumpLevel): SemVer {
  return parseVersion(bump(v, level));
}

export function parseRange(s: string): VersionRange {
  const r = tryParseRange(s);
  if (r) return r;
  throw new SomaError('USAGE', `invalid version range '${s}'`, {
    hint: `accepted forms: ${RANGE_FORMS.join('; ')}`,
    details: { value: s },
  });
}

export function satisfies(version: SemVer | string, range: VersionRange | string): boolean {
  const v = asSemVer(version);
  const r = typeof range === 'string' ? parseRange(range) : range;
  return compareVersions(v, r.min) >= 0 && (r.max === undefined || compareVersions(v, r.max) < 0);
}

/** The highest version in `versions` that satisfies `range`, or undefined. Ignores non-versions. */
export function maxSatisfying(versions: readonly string[], range: VersionRange | string): string | undefined {
  const r = typeof range === 'string' ? parseRange(range) : range;
  let best: string | undefined;
  for (const s of versions) {
    if (!isVersion(s) || !satisfies(s, r)) continue;
    if (best === undefined || compareVersions(s, best) > 0) best = s;
  }
  return best;
}
