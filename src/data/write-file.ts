// A whole text file written atomically (a temporary sibling, flushed, then renamed into place),
// creating its directory; for documents soma hands to other tools (an exported model).

import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
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
