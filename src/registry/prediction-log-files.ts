// Reading a model's prediction log back (the files `soma serve` appends, monitor/prediction-log.ts):
// every record of a log directory at or after a time, files in name order (which is write order),
// lines that do not parse (a torn last line after a crash) skipped and counted.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { logDayOf, PREDICTION_LOG_FILE_RE, type PredictionLogRecord } from '../monitor/prediction-log.js';
import { isJsonObject } from '../util/json.js';

export interface LogRead {
  records: PredictionLogRecord[];
  /** Lines that did not parse as a record. */
  skipped: number;
}

/** Records of `dir` whose `at` is at or after `since` (ISO 8601 UTC); none when the directory does not exist. */
export async function readPredictionLog(dir: string, since: string): Promise<LogRead> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { records: [], skipped: 0 };
    throw e;
  }
  const fromDay = logDayOf(since);
  const files = names.filter((n) => {
    const m = PREDICTION_LOG_FILE_RE.exec(n);
    return m !== null && m[1]! >= fromDay;
  });
  files.sort();
  const records: PredictionLogRecord[] = [];
  let skipped = 0;
  for (const f of files) {
    const text = await readFile(join(dir, f), 'utf8');
    for (const line of text.split('\n')) {
      if (line === '') continue;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        skipped++;
        continue;
      }
      if (!isJsonObject(v) || typeof v['at'] !== 'string' || typeof v['status'] !== 'number') {
        skipped++;
        continue;
      }
      if (v['at'] >= since) records.push(v as unknown as PredictionLogRecord);
    }
  }
  return { records, skipped };
}
