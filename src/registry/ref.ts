// Model names and REFs: the strings users type to pick a registered model version.
//
// Grammar (case-insensitive; names and aliases are stored and compared in lower case, so a
// registry never holds "Penguins" and "penguins" side by side, even on a case-sensitive disk):
//
//   REF      := NAME                      latest version
//             | NAME "@" "latest"         latest version
//             | NAME "@" VERSION          exact: penguins@1.2.0
//             | NAME "@" RANGE            ^1.2  ^1.2.3  ~1.2  ~1.2.3  1.x  1.2.x  1  1.2  *
//             | NAME "@" ALIAS            penguins@production
//             | NAME "_v" VERSION         the seed's id form: penguins_v1.2.0
//   NAME     := [a-z0-9][a-z0-9_.-]{0,99}, not ending in "_v<x.y.z>"
//   ALIAS    := [a-z][a-z0-9_-]{0,63}, not "latest"
//
// Why names may not end in "_v<x.y.z>": that suffix is the id form, so forbidding it in names is
// what makes "penguins_v1.2.0" mean exactly one thing. Aliases start with a letter and have no
// dots, so no alias can be mistaken for a version or range.

import { SomaError } from '../errors.js';
import { RANGE_FORMS, formatVersion, isVersion, parseVersion, tryParseRange } from './semver.js';

export type Ref =
  | { kind: 'latest'; name: string }
  | { kind: 'version'; name: string; version: string }
  | { kind: 'range'; name: string; range: string }
  | { kind: 'alias'; name: string; alias: string };

const REF_FORMS = ['NAME (latest)', 'NAME@1.2.0', 'NAME@^1.2', 'NAME@~1.2', 'NAME@1.x', 'NAME@production (an alias)', 'NAME_v1.2.0'];

const NAME_RE = /^[a-z0-9][a-z0-9_.-]{0,99}$/;
const ID_SUFFIX_RE = /_v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const ALIAS_RE = /^[a-z][a-z0-9_-]{0,63}$/;

/** Why `name` is not a valid model name, or undefined when it is. Expects lower case. */
function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (!NAME_RE.test(name)) return 'use 1-100 characters from a-z, 0-9, _ . -, starting with a letter or digit';
  if (ID_SUFFIX_RE.test(name)) return "it ends in '_v<x.y.z>', which is reserved for the NAME_vX.Y.Z ref form";
  return undefined;
}

/** Lower-cases and validates a model name (from a config or the CLI); throws USAGE when invalid. */
export function normalizeModelName(name: string): string {
  const n = name.toLowerCase();
  const problem = nameProblem(n);
  if (problem) {
    throw new SomaError('USAGE', `invalid model name '${name}': ${problem}`, { details: { value: name } });
  }
  return n;
}

/** Lower-cases and validates an alias name; throws USAGE when invalid. */
export function normalizeAlias(alias: string): string {
  const a = alias.toLowerCase();
  if (!ALIAS_RE.test(a) || a === 'latest') {
    throw new SomaError('USAGE', `invalid alias '${alias}': use a letter then up to 63 of a-z, 0-9, _ -, and not 'latest'`, {
      details: { value: alias },
    });
  }
  return a;
}

/** The seed's id form, `name_v1.2.0`, recorded in metadata as `id`. */
export function modelId(name: string, version: string): string {
  return `${name}_v${version}`;
}

function badRef(s: string, why: string, hint?: string): SomaError {
  return new SomaError('USAGE', `invalid model reference '${s}': ${why}`, {
    hint: hint ?? `accepted forms: ${REF_FORMS.join(', ')}`,
    details: { value: s, accepted: REF_FORMS },
  });
}

/** Parses a REF string (see the grammar at the top); throws SomaError USAGE naming the accepted forms. */
export function parseRef(input: string): Ref {
  const s = input.trim();
  if (s.length === 0) throw badRef(input, 'it is empty');
  const at = s.indexOf('@');
  if (at < 0) {
    const lower = s.toLowerCase();
    const id = ID_SUFFIX_RE.exec(lower);
    if (id) {
      const name = lower.slice(0, id.index);
      const problem = nameProblem(name);
      if (problem) throw badRef(s, `model name '${name}' is invalid: ${problem}`);
      return { kind: 'version', name, version: formatVersion(parseVersion(`${id[1]}.${id[2]}.${id[3]}`)) };
    }
    const problem = nameProblem(lower);
    if (problem) throw badRef(s, `model name '${s}' is invalid: ${problem}`);
    return { kind: 'latest', name: lower };
  }

  const rawName = s.slice(0, at);
  const selector = s.slice(at + 1);
  const name = rawName.toLowerCase();
  const problem = nameProblem(name);
  if (problem) throw badRef(s, `model name '${rawName}' is invalid: ${problem}`);
  if (selector.length === 0) throw badRef(s, "nothing after '@'");
  if (isVersion(selector)) return { kind: 'version', name, version: selector };
  if (tryParseRange(selector)) return { kind: 'range', name, range: selector };
  const sel = selector.toLowerCase();
  if (sel === 'latest') return { kind: 'latest', name };
  if (ALIAS_RE.test(sel)) return { kind: 'alias', name, alias: sel };

  // Say what was probably meant rather than listing every form.
  if (/^v\d/i.test(selector)) {
    throw badRef(s, `'${selector}' is not a version`, `write it without the leading 'v': ${rawName}@${selector.slice(1)}`);
  }
  // Comparators such as >=1.2 look like ranges but are not supported: say so rather than 'not an alias'.
  if (/^[\^~<>=]?[\d.xX*]+$/.test(selector) || /^[\^~<>=]/.test(selector)) {
    throw badRef(s, `'${selector}' is not a version or range`, `versions and ranges: ${RANGE_FORMS.join('; ')}`);
  }
  throw badRef(s, `'${selector}' is not a version, range or alias`);
}

/** The canonical string for a parsed REF (round-trips through parseRef). */
export function formatRef(ref: Ref): string {
  switch (ref.kind) {
    case 'latest':
      return ref.name;
    case 'version':
      return `${ref.name}@${ref.version}`;
    case 'range':
      return `${ref.name}@${ref.range}`;
    case 'alias':
      return `${ref.name}@${ref.alias}`;
  }
}
