// Whole text files soma exchanges with other tools (an exported or imported model, a features
// list): read with the file named in errors, written atomically (a temporary sibling, flushed,
// then renamed into place) with its directory created.

import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { SomaError } from '../errors.js';

export async function writeTextFile(target: string, text: string): Promise<void> {
  const dir = path.dirname(path.resolve(target));
  const tmp = path.join(dir, `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true });
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    const err = e as NodeJS.ErrnoException;
    throw new SomaError('DATA_UNREADABLE', `cannot write ${target}: ${err.code ?? ''} ${err.message}`.replace(/\s+/g, ' '), { details: { file: target, errno: err.code ?? null }, cause: e });
  }
}

/** A file's text; a missing or unreadable file is a data error naming it (exit 3). */
export async function readTextFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new SomaError(err.code === 'ENOENT' ? 'DATA_NOT_FOUND' : 'DATA_UNREADABLE', `${file}: cannot read the ${what} (${err.code ?? err.message})`, { details: { file, errno: err.code ?? null } });
  }
}
