// Where an output may go: never over one of the command's own inputs, and into a directory that
// exists unless the user asked for it to be made.
//
// A typo such as `--input scores.csv --output scores.csv`, or an output that is a symbolic or hard
// link to the input, would otherwise replace the input with its predictions when the atomic rename
// lands: the rows are gone. Files are compared after resolving links (realpath) and by device and
// inode, so a hard link or a path through a linked directory is the same file too. A glob input is
// expanded the way DuckDB will read it.

import { mkdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { SomaError } from '../errors.js';
import { withConnection } from './duckdb.js';
import { isGlob, sqlString } from './formats.js';

export interface OutputTargetOptions {
  /** Make a missing output directory (`--create-dirs`) instead of refusing. */
  createDirs?: boolean;
  /** The flag that named the output, for messages (default `--output`). */
  outputFlag?: string;
  /** The flag that named the inputs, for messages (default `--input`). */
  inputFlag?: string;
}

/** The files a path or glob names, as DuckDB expands it. */
export async function expandInput(input: string): Promise<string[]> {
  if (!isGlob(input)) return [input];
  try {
    return await withConnection(async (c) => {
      const rows = (await c.runAndReadAll(`SELECT file FROM glob(${sqlString(input)})`)).getRows();
      return rows.map((r) => String(r[0]));
    });
  } catch {
    return []; // the reader reports a glob that matches nothing with its own message
  }
}

function statOrUndefined(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * Refuses an output that is one of `inputs` (exit 2 naming both) and an output directory that
 * does not exist unless `createDirs` (exit 3; with it, the directory is made). `inputs` are paths
 * or globs.
 */
export async function checkOutputTarget(output: string, inputs: readonly string[], options: OutputTargetOptions = {}): Promise<void> {
  const outFlag = options.outputFlag ?? '--output';
  const inFlag = options.inputFlag ?? '--input';
  const dir = path.dirname(path.resolve(output));
  const dirStat = statOrUndefined(dir);
  if (dirStat === undefined && !options.createDirs) {
    throw new SomaError('DATA_NOT_FOUND', `${outFlag} ${output}: the directory ${dir} does not exist`, {
      hint: 'create it first, or pass --create-dirs to have soma make it',
      details: { file: output, directory: dir },
    });
  }
  if (dirStat === undefined) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new SomaError('DATA_UNREADABLE', `${outFlag} ${output}: cannot create ${dir}: ${(e as Error).message}`, { details: { file: output, directory: dir } });
    }
  } else if (!dirStat.isDirectory()) {
    throw new SomaError('DATA_NOT_FOUND', `${outFlag} ${output}: ${dir} is not a directory`, { details: { file: output, directory: dir } });
  }
  // The output as it will be renamed into place: its directory's real path plus its name, unless
  // the output itself is a link (the rename replaces the link, but following it is what a user
  // who linked it meant, and either way it must not be an input).
  const outStat = statOrUndefined(output);
  const outReal = outStat ? realOrSelf(output) : path.join(dirStat ? realOrSelf(dir) : dir, path.basename(output));
  for (const given of inputs) {
    for (const file of await expandInput(given)) {
      const inReal = realOrSelf(file);
      const inStat = statOrUndefined(file);
      const same = inReal === outReal || (outStat !== undefined && inStat !== undefined && inStat.dev === outStat.dev && inStat.ino === outStat.ino);
      if (same) {
        const through = file === given ? '' : ` (matched by ${given})`;
        throw new SomaError('USAGE', `${outFlag} ${output} is the same file as ${inFlag} ${file}${through}: writing it would replace the input`, {
          hint: `write the output to another path, e.g. ${suggestOther(output)}`,
          details: { output, input: file, resolved: outReal },
        });
      }
    }
  }
}

function suggestOther(output: string): string {
  const ext = path.extname(output);
  return `${output.slice(0, output.length - ext.length)}.predictions${ext || '.csv'}`;
}
