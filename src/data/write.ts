// Writing Frames to CSV, TSV, NDJSON, JSON and Parquet, whole (`writeFrame`) or appended chunk by
// chunk (`openFrameWriter`, for batch prediction). Always atomic: rows go to a hidden temporary
// file in the target's directory, renamed over the target on close; abort or failure removes it,
// so the target path never holds a half-written file.
//
// Both are encoded in JavaScript and streamed to the file as they are appended: memory stays flat
// and no DuckDB round trip is needed. Text formats are formatted into one reused byte buffer
// (write-text.ts); Parquet is buffered a row group at a time and gets its footer at close
// (parquet.ts).

import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { SomaError, errorMessage } from '../errors.js';
import type { ColumnType, Frame } from './frame.js';
import { detectFormat, type DataFormat } from './formats.js';
import { ParquetEncoder } from './parquet.js';
import { ByteBuffer, TextRows, textHead, type TextFormat } from './write-text.js';

export interface WriteOptions {
  /** One of DataFormat, overriding detection by extension. */
  format?: DataFormat | string;
}

export interface FrameWriter {
  readonly path: string;
  readonly format: DataFormat;
  /** Rows appended so far. */
  readonly rows: number;
  /** Appends the frame's rows. Every frame must have the first frame's column names, in order. */
  append(frame: Frame): Promise<void>;
  /** Finishes the file and moves it to `path`. */
  close(): Promise<void>;
  /** Removes everything written; `path` is left as it was. Safe to call after a failure. */
  abort(): Promise<void>;
}

/** Writes `frame` to `path` (format by extension or `options.format`), atomically. */
export async function writeFrame(path: string, frame: Frame, options: WriteOptions = {}): Promise<void> {
  const w = await openFrameWriter(path, options);
  try {
    await w.append(frame);
    await w.close();
  } catch (e) {
    await w.abort();
    throw e;
  }
}

export async function openFrameWriter(target: string, options: WriteOptions = {}): Promise<FrameWriter> {
  const format = detectFormat(target, options.format);
  if (format === 'arrow') {
    throw new SomaError('DATA_FORMAT', `cannot write ${target}: soma reads Arrow IPC files but does not write them`, {
      hint: 'write Parquet (.parquet) instead: Arrow and pandas read it as readily',
      details: { file: target, format },
    });
  }
  const dir = path.dirname(path.resolve(target));
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw writeError(target, e);
  }
  const tmp = path.join(dir, `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  return format === 'parquet' ? ParquetWriter.open(target, tmp) : TextWriter.open(target, tmp, format);
}

function writeError(target: string, e: unknown): SomaError {
  if (e instanceof SomaError) return e;
  return new SomaError('DATA_UNREADABLE', `cannot write ${target}: ${errorMessage(e)}`, { details: { file: target }, cause: e });
}

interface Shape {
  names: string[];
  types: ColumnType[];
}

function checkShape(target: string, shape: Shape | undefined, frame: Frame): Shape {
  const names = frame.names;
  const types = frame.columns.map((c) => c.type);
  if (!shape) return { names, types };
  if (names.length !== shape.names.length || names.some((n, j) => n !== shape.names[j])) {
    throw new SomaError('INTERNAL', `writing ${target}: frame columns [${names.join(', ')}] differ from the first frame's [${shape.names.join(', ')}]`);
  }
  return shape;
}

// ---------------------------------------------------------------------------------------------
// CSV / TSV / NDJSON / JSON

/** Bytes formatted before each write to the file: large enough to amortise the system call. */
const FLUSH_BYTES = 1 << 20;

class TextWriter implements FrameWriter {
  rows = 0;
  private shape: Shape | undefined;
  private done = false;
  private readonly out = new ByteBuffer(FLUSH_BYTES + (64 << 10));

  private constructor(
    readonly path: string,
    private readonly tmp: string,
    readonly format: TextFormat,
    private fh: FileHandle | undefined,
  ) {}

  static async open(target: string, tmp: string, format: DataFormat): Promise<TextWriter> {
    if (format === 'parquet' || format === 'arrow') throw new SomaError('INTERNAL', `TextWriter cannot write ${format}`);
    try {
      return new TextWriter(target, tmp, format, await open(tmp, 'wx'));
    } catch (e) {
      throw writeError(target, e);
    }
  }

  async append(frame: Frame): Promise<void> {
    if (this.done || !this.fh) throw new SomaError('INTERNAL', `writer for ${this.path} is already closed`);
    const first = this.shape === undefined;
    this.shape = checkShape(this.path, this.shape, frame);
    try {
      if (first) this.out.utf8(textHead(this.format, frame.names));
      const rows = new TextRows(this.format, frame, this.out);
      for (let i = 0; i < frame.rows; ) {
        i = rows.write(i, frame.rows, FLUSH_BYTES, this.rows + i === 0);
        if (this.out.pos >= FLUSH_BYTES) await this.flush();
      }
      this.rows += frame.rows;
    } catch (e) {
      await this.abort();
      throw writeError(this.path, e);
    }
  }

  /** Writes the buffered bytes; the buffer is reused once the write has completed. */
  private async flush(): Promise<void> {
    const out = this.out;
    let at = 0;
    while (at < out.pos) at += (await this.fh!.write(out.buf, at, out.pos - at)).bytesWritten;
    out.pos = 0;
  }

  async close(): Promise<void> {
    if (this.done) throw new SomaError('INTERNAL', `writer for ${this.path} is already closed`);
    try {
      if (this.format === 'json') this.out.ascii(this.rows > 0 ? '\n]\n' : this.shape ? ']\n' : '[]\n');
      await this.flush();
      await this.fh!.sync();
      await this.fh!.close();
      this.fh = undefined;
      await rename(this.tmp, this.path);
      this.done = true;
    } catch (e) {
      await this.abort();
      throw writeError(this.path, e);
    }
  }

  async abort(): Promise<void> {
    this.done = true;
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => undefined);
    await rm(this.tmp, { force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Parquet, encoded here and streamed to the file a row group at a time

class ParquetWriter implements FrameWriter {
  readonly format: DataFormat = 'parquet';
  rows = 0;
  private shape: Shape | undefined;
  private encoder: ParquetEncoder | undefined;
  private done = false;

  private constructor(
    readonly path: string,
    private readonly tmp: string,
    private fh: FileHandle | undefined,
  ) {}

  static async open(target: string, tmp: string): Promise<ParquetWriter> {
    try {
      return new ParquetWriter(target, tmp, await open(tmp, 'wx'));
    } catch (e) {
      throw writeError(target, e);
    }
  }

  async append(frame: Frame): Promise<void> {
    if (this.done || !this.fh) throw new SomaError('INTERNAL', `writer for ${this.path} is already closed`);
    this.shape = checkShape(this.path, this.shape, frame);
    if (frame.columns.length === 0) throw new SomaError('INTERNAL', `writing ${this.path}: a Parquet file needs at least one column`);
    try {
      if (!this.encoder) {
        this.encoder = new ParquetEncoder(frame.columns.map((c) => ({ name: c.name, type: c.type })));
        await this.fh.write(this.encoder.start());
      }
      for (const bytes of this.encoder.append(frame.columns, frame.rows)) await this.fh.write(bytes);
      this.rows += frame.rows;
    } catch (e) {
      await this.abort();
      throw writeError(this.path, e);
    }
  }

  async close(): Promise<void> {
    if (this.done || !this.fh) throw new SomaError('INTERNAL', `writer for ${this.path} is already closed`);
    if (!this.encoder) {
      await this.abort();
      throw new SomaError('INTERNAL', `nothing was appended to ${this.path}: a Parquet file needs at least one (possibly empty) frame for its schema`);
    }
    try {
      for (const bytes of this.encoder.finish()) await this.fh.write(bytes);
      await this.fh.sync();
      await this.fh.close();
      this.fh = undefined;
      await rename(this.tmp, this.path);
      this.done = true;
    } catch (e) {
      await this.abort();
      throw writeError(this.path, e);
    }
  }

  async abort(): Promise<void> {
    this.done = true;
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => undefined);
    await rm(this.tmp, { force: true });
  }
}
