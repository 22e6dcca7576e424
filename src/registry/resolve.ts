// From a REF (`name`, `name@1.2.0`, `name@^1.2`, `name@production`, `name_v1.2.0`) to one existing
// version and its checked metadata.json; REGISTRY_NOT_FOUND names what exists instead.

import { refuseLinks } from './no-links.js';
import { ownValue } from '../util/json.js';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SomaError } from '../errors.js';
import { readAliases } from './aliases.js';
import { METADATA_FILE } from './checksums.js';
import { isNotFound, listModels, listVersions, versionDir } from './layout.js';
import { parseMetadata, type ModelMetadata } from './metadata.js';
import { formatRef, modelId, normalizeModelName, parseRef, type Ref } from './ref.js';
import { maxSatisfying } from './semver.js';

export interface ResolvedModel {
  /** The REF as asked for, in canonical form (e.g. "penguins@^1.2"). */
  ref: string;
  name: string;
  version: string;
  /** `name_vX.Y.Z` */
  id: string;
  /** Absolute path of versions/<x.y.z>. */
  dir: string;
  metadata: ModelMetadata;
}

function preview(items: readonly string[], max = 10): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')}, ... (${items.length} in all)`;
}

/** Reads and checks metadata.json of one version; REGISTRY_NOT_FOUND / REGISTRY_INTEGRITY on failure. */
export async function readMetadata(root: string, name: string, version: string): Promise<ModelMetadata> {
  const n = normalizeModelName(name);
  const dir = versionDir(root, n, version);
  const path = join(dir, METADATA_FILE);
  await refuseLinks(root, path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (!isNotFound(e)) throw e;
    const exists = await stat(dir).then(
      () => true,
      () => false,
    );
    if (!exists) throw new SomaError('REGISTRY_NOT_FOUND', `${n}@${version} not found in ${root}`, { details: { name: n, version } });
    throw new SomaError('REGISTRY_INTEGRITY', `${path} is missing`, {
      hint: 'the version directory was modified after registration; remove it with `soma models rm` or restore it',
      details: { path },
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new SomaError('REGISTRY_INTEGRITY', `${path} is not valid JSON`, { details: { path }, cause: e });
  }
  const m = parseMetadata(parsed, path);
  if (m.name !== n || m.version !== version) {
    throw new SomaError('REGISTRY_INTEGRITY', `${path} describes ${m.name}@${m.version}, not ${n}@${version}`, { details: { path } });
  }
  return m;
}

/** Resolves a REF to one existing version and its metadata (no checksum check: see verify.ts). */
export async function resolveRef(root: string, refOrString: string | Ref): Promise<ResolvedModel> {
  const ref = typeof refOrString === 'string' ? parseRef(refOrString) : refOrString;
  const refText = formatRef(ref);
  const versions = await listVersions(root, ref.name);
  if (versions.length === 0) {
    const models = await listModels(root);
    throw new SomaError('REGISTRY_NOT_FOUND', `no model named '${ref.name}' in ${root}`, {
      hint: models.length > 0 ? `registered models: ${preview(models)}` : 'the registry is empty; `soma train -c CONFIG` registers a model',
      details: { ref: refText, registry: root, models },
    });
  }
  const notFound = (what: string, hint?: string) =>
    new SomaError('REGISTRY_NOT_FOUND', `${what}`, {
      hint: hint ?? `versions of ${ref.name}: ${preview([...versions].reverse())}`,
      details: { ref: refText, registry: root, versions },
    });

  let version: string | undefined;
  switch (ref.kind) {
    case 'latest':
      version = versions[versions.length - 1];
      break;
    case 'version':
      if (!versions.includes(ref.version)) throw notFound(`${ref.name}@${ref.version} not found`);
      version = ref.version;
      break;
    case 'range':
      version = maxSatisfying(versions, ref.range);
      if (version === undefined) throw notFound(`no version of ${ref.name} matches ${ref.range}`);
      break;
    case 'alias': {
      const aliases = await readAliases(root, ref.name);
      const target = ownValue(aliases, ref.alias);
      if (target === undefined) {
        const known = Object.entries(aliases).map(([a, v]) => `${a} → ${v}`);
        throw notFound(
          `${ref.name} has no alias '${ref.alias}'`,
          known.length > 0 ? `aliases of ${ref.name}: ${known.join(', ')}` : `${ref.name} has no aliases; \`soma models promote ${ref.name}@VERSION --to ${ref.alias}\` sets one`,
        );
      }
      if (!versions.includes(target)) {
        throw notFound(`alias '${ref.alias}' of ${ref.name} points to ${target}, which does not exist`);
      }
      version = target;
      break;
    }
  }
  const v = version!;
  return { ref: refText, name: ref.name, version: v, id: modelId(ref.name, v), dir: versionDir(root, ref.name, v), metadata: await readMetadata(root, ref.name, v) };
}
