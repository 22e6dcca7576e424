// The files of one version directory, by role, so the pipeline never names paths or touches the
// file system itself (DESIGN: only data/ and registry/ touch files).

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SomaError } from '../errors.js';

export const VERSION_FILES = {
  model: 'model/model.json',
  preprocess: 'preprocess.json',
  features: 'features.json',
  metrics: 'metrics.json',
  profile: 'profile.json',
  config: 'config.yaml',
  report: 'report.md',
  /** The search's trial history (versions trained with a search: section). */
  search: 'search.json',
  report_html: 'report.html',
} as const;

export type VersionFileRole = keyof typeof VERSION_FILES;

export interface VersionFilesInput {
  model: unknown;
  preprocess: unknown;
  features: unknown;
  metrics: unknown;
  profile: unknown;
  config: string;
  report: string;
  /** report.html; optional so callers that predate it keep compiling (train always writes it). */
  reportHtml?: string;
  /** search.json: the trial history of a search (only when the config has search:). */
  search?: unknown;
  /** Extra estimator files (e.g. a TensorFlow.js layers model), paths relative to model/. */
  modelArtifacts?: ReadonlyArray<{ path: string; bytes: Uint8Array }>;
}

/** Checks an estimator artifact path: relative, POSIX, inside model/, not the estimator JSON itself. */
function modelArtifactPath(dir: string, rel: string): string {
  // Typed as a string, but read from a model JSON: check at run time before splitting it.
  if (typeof rel !== 'string') throw new SomaError('REGISTRY_INTEGRITY', `model artifact path ${JSON.stringify(rel)} is not a string`);
  const parts = rel.split('/');
  if (rel === '' || rel.startsWith('/') || rel.includes('\\') || parts.some((p) => p === '' || p === '.' || p === '..') || rel === 'model.json') {
    throw new SomaError('REGISTRY_INTEGRITY', `model artifact path ${JSON.stringify(rel)} is not a plain relative path inside model/`);
  }
  return join(dir, 'model', ...parts);
}

/** Writes every file of a version into a (staging) directory. */
export async function writeVersionFiles(dir: string, files: VersionFilesInput): Promise<void> {
  await mkdir(join(dir, 'model'), { recursive: true });
  const artifacts = (files.modelArtifacts ?? []).map((a) => ({ file: modelArtifactPath(dir, a.path), bytes: a.bytes }));
  await Promise.all([...new Set(artifacts.map((a) => dirname(a.file)))].map((d) => mkdir(d, { recursive: true })));
  const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;
  await Promise.all([
    writeFile(join(dir, VERSION_FILES.model), json(files.model)),
    writeFile(join(dir, VERSION_FILES.preprocess), json(files.preprocess)),
    writeFile(join(dir, VERSION_FILES.features), json(files.features)),
    writeFile(join(dir, VERSION_FILES.metrics), json(files.metrics)),
    writeFile(join(dir, VERSION_FILES.profile), json(files.profile)),
    writeFile(join(dir, VERSION_FILES.config), files.config),
    writeFile(join(dir, VERSION_FILES.report), files.report),
    ...(files.reportHtml !== undefined ? [writeFile(join(dir, VERSION_FILES.report_html), files.reportHtml)] : []),
    ...(files.search !== undefined ? [writeFile(join(dir, VERSION_FILES.search), json(files.search))] : []),
    ...artifacts.map((a) => writeFile(a.file, a.bytes)),
  ]);
}

/** Reads the estimator artifact files a model JSON lists (`artifacts`), by relative path. */
export async function readModelArtifacts(dir: string, paths: readonly string[]): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  await Promise.all(
    paths.map(async (rel) => {
      const file = modelArtifactPath(dir, rel);
      try {
        out.set(rel, new Uint8Array(await readFile(file)));
      } catch (e) {
        throw new SomaError('REGISTRY_INTEGRITY', `${file}: cannot read model artifact (${(e as Error).message})`, { hint: 'run soma models verify' });
      }
    }),
  );
  return out;
}

/** The path of one file of a version directory (for messages that name it). */
export function versionFilePath(dir: string, role: VersionFileRole): string {
  return join(dir, VERSION_FILES[role]);
}

/** Reads one JSON file of a registered (and already verified) version. */
export async function readVersionJson(dir: string, role: Exclude<VersionFileRole, 'config' | 'report' | 'report_html'>): Promise<unknown> {
  const file = join(dir, VERSION_FILES[role]);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (e) {
    throw new SomaError('REGISTRY_INTEGRITY', `${file}: cannot read ${role} (${(e as Error).message})`, { hint: 'run soma models verify' });
  }
}

/** Reads one text file of a registered (and already verified) version, such as its config.yaml. */
export async function readVersionText(dir: string, role: 'config' | 'report'): Promise<string> {
  const file = join(dir, VERSION_FILES[role]);
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new SomaError('REGISTRY_INTEGRITY', `${file}: cannot read ${role} (${(e as Error).message})`, { hint: 'run soma models verify' });
  }
}
