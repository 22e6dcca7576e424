// The prediction log writer: one model's records (monitor/prediction-log.ts, format version 1)
// appended as NDJSON lines to `<dir>/predictions-<YYYYMMDD>-<seq>.ndjson`, where `dir` is the
// model's `serving/` directory in the registry or `--log-dir DIR/<model>`.
//
// Append-only and off the request path: records are serialised when the answer has gone out,
// buffered, and written every 50 ms (or at 256 KiB) in one append each (O_APPEND, so workers of
// one server writing to the same file never tear each other's lines). A file rotates when the UTC
// day of its records changes or when it would pass `maxBytes`; the file to write is decided from
// what is on disk (the highest sequence number of the day and its size), so several workers
// converge on the same file. Write failures (a full disk) are reported, at most once a minute,
// and the records dropped: serving never stops for the log.

import { appendFile, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { logDayOf, predictionLogFileName, PREDICTION_LOG_FILE_RE, type PredictionLogRecord } from '../monitor/prediction-log.js';

const FLUSH_MS = 50;
const FLUSH_BYTES = 256 * 1024;

export interface LogWriterOptions {
  maxBytes: number;
  onError?: (message: string) => void;
}

interface Pending {
  day: string;
  text: string[];
  bytes: number;
}

export class PredictionLogWriter {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private current: { day: string; seq: number; size: number; sinceStat: number } | null = null;
  private dirMade = false;
  private lastError = 0;
  /** Records written and dropped (a failed write), for tests and the shutdown message. */
  written = 0;
  dropped = 0;

  constructor(
    readonly dir: string,
    private readonly options: LogWriterOptions,
  ) {}

  append(record: PredictionLogRecord): void {
    this.appendLine(record.at, JSON.stringify(record));
  }

  /** Appends a record already serialised (log-record.ts), written at `at`. */
  appendLine(at: string, text: string): void {
    const line = `${text}\n`;
    const day = logDayOf(at);
    let last = this.pending[this.pending.length - 1];
    if (!last || last.day !== day) {
      last = { day, text: [], bytes: 0 };
      this.pending.push(last);
    }
    last.text.push(line);
    last.bytes += Buffer.byteLength(line);
    if (last.bytes >= FLUSH_BYTES) void this.flush();
    else if (this.timer === null) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes everything appended so far; resolves when it is on disk (or dropped). */
  flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  private async write(batch: Pending[]): Promise<void> {
    for (const part of batch) {
      try {
        if (!this.dirMade) {
          await mkdir(this.dir, { recursive: true });
          this.dirMade = true;
        }
        const file = await this.target(part.day, part.bytes);
        await appendFile(file, part.text.join(''), { flag: 'a' });
        this.current!.size += part.bytes;
        this.current!.sinceStat += part.bytes;
        this.written += part.text.length;
      } catch (e) {
        this.dropped += part.text.length;
        const now = Date.now();
        if (now - this.lastError > 60_000) {
          this.lastError = now;
          this.options.onError?.(`prediction log ${this.dir}: ${(e as Error).message}; ${part.text.length} record(s) dropped`);
        }
      }
    }
  }

  /** The file for `bytes` more of `day`'s records: today's last file unless it would pass the limit. */
  private async target(day: string, bytes: number): Promise<string> {
    const max = this.options.maxBytes;
    let c = this.current;
    // Another worker may have written to (or rotated) the file: look at the disk again now and then.
    if (c && c.day === day && c.sinceStat > max / 16) {
      c.size = await sizeOf(join(this.dir, predictionLogFileName(day, c.seq)));
      c.sinceStat = 0;
    }
    if (!c || c.day !== day || (c.size > 0 && c.size + bytes > max)) {
      let seq = -1;
      for (const name of await readdir(this.dir)) {
        const m = PREDICTION_LOG_FILE_RE.exec(name);
        if (m && m[1] === day) seq = Math.max(seq, Number(m[2]));
      }
      if (seq < 0) c = { day, seq: 0, size: 0, sinceStat: 0 };
      else {
        const size = await sizeOf(join(this.dir, predictionLogFileName(day, seq)));
        c = size > 0 && size + bytes > max ? { day, seq: seq + 1, size: 0, sinceStat: 0 } : { day, seq, size, sinceStat: 0 };
      }
      this.current = c;
    }
    return join(this.dir, predictionLogFileName(day, c.seq));
  }
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/** The writers of every served model, created on first use: `<logDir>/<model>/` or the model's `serving/` directory. */
export class PredictionLogs {
  private readonly writers = new Map<string, PredictionLogWriter>();

  constructor(
    private readonly dirOf: (model: string) => string,
    private readonly options: LogWriterOptions,
  ) {}

  writer(model: string): PredictionLogWriter {
    let w = this.writers.get(model);
    if (!w) {
      w = new PredictionLogWriter(this.dirOf(model), this.options);
      this.writers.set(model, w);
    }
    return w;
  }

  async close(): Promise<void> {
    await Promise.all([...this.writers.values()].map((w) => w.flush()));
  }
}
