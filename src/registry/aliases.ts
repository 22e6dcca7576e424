// aliases.json of a model: alias names (production, staging, any name) to x.y.z versions.

import { refuseLinks } from './no-links.js';
import { mkdir, readFile } from 'node:fs/promises';
import { SomaError } from '../errors.js';
import { isJsonObject } from '../util/json.js';
import { writeJsonAtomic } from './atomic.js';
import { aliasesPath, isNotFound, modelDir } from './layout.js';
import { normalizeAlias } from './ref.js';
import { isVersion, parseVersion } from './semver.js';

/** aliases.json as {alias: version}; {} when the model has none. */
export async function readAliases(root: string, name: string): Promise<Record<string, string>> {
  const path = aliasesPath(root, name);
  await refuseLinks(root, path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (isNotFound(e)) return {};
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    // The parser's message quotes the text; an error names the file, not what it holds.
    throw new SomaError('REGISTRY_INTEGRITY', `${path} is not valid JSON`, { details: { path }, cause: e });
  }
  if (!isJsonObject(parsed) || !Object.values(parsed).every((v) => typeof v === 'string' && isVersion(v))) {
    throw new SomaError('REGISTRY_INTEGRITY', `${path} must map alias names to x.y.z versions`, { details: { path } });
  }
  return parsed as Record<string, string>;
}

/** Replaces aliases.json atomically. Call under the model's lock so read-modify-write is not lost. */
export async function writeAliases(root: string, name: string, aliases: Record<string, string>): Promise<void> {
  const clean: Record<string, string> = {};
  for (const [alias, version] of Object.entries(aliases).sort(([a], [b]) => (a < b ? -1 : 1))) {
    parseVersion(version);
    clean[normalizeAlias(alias)] = version;
  }
  await refuseLinks(root, aliasesPath(root, name));
  await mkdir(modelDir(root, name), { recursive: true });
  await writeJsonAtomic(aliasesPath(root, name), clean);
}
