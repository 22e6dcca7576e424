// Append-only JSON-lines logs (events.jsonl, predictions.jsonl): reading them back tolerantly.

import { readFile } from 'node:fs/promises';
import { isJsonObject, type JsonObject } from '../util/json.js';

/** The objects of a JSON-lines file, oldest first; [] when it does not exist. A line torn by a crash mid-append is skipped. */
export async function readJsonLines(path: string): Promise<JsonObject[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw e;
  }
  const out: JsonObject[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const v: unknown = JSON.parse(line);
      if (isJsonObject(v)) out.push(v);
    } catch {
      // a torn last line from a crash mid-append
    }
  }
  return out;
}
