// The binary artifact beside a recommender's JSON: named typed arrays (factor matrices, biases,
// neighbour lists, attribute vectors) in one file, so a 6,000 x 100 factor matrix is 2.4 MB of
// float32 rather than 3 MB of base64 inside model.json. Checksummed like every artifact, and read
// back by a checked reader: a truncated, retyped or reshaped field is REGISTRY_INTEGRITY (exit 6)
// naming the file and the field.
//
// Layout (little-endian): the 8 bytes "SOMATNSR", u32 format version (1), u32 header length H,
// H bytes of UTF-8 JSON {fields: [{name, dtype, shape, offset}]}, zero padding to a multiple of 8,
// then each field's bytes at its offset (relative to the data start, each 8-byte aligned).

import { SomaError } from '../../errors.js';

const MAGIC = 'SOMATNSR';
const FORMAT = 1;

export type TensorDtype = 'float32' | 'float64' | 'int32';
export type TensorArray = Float32Array | Float64Array | Int32Array;

const CTOR = { float32: Float32Array, float64: Float64Array, int32: Int32Array } as const;

interface FieldHeader {
  name: string;
  dtype: TensorDtype;
  shape: number[];
  offset: number;
}

function dtypeOf(a: TensorArray): TensorDtype {
  return a instanceof Float32Array ? 'float32' : a instanceof Float64Array ? 'float64' : 'int32';
}

/** Packs named arrays; `shapes[name]` defaults to [length]. */
export function writeTensorFile(fields: Record<string, TensorArray>, shapes: Record<string, number[]> = {}): Uint8Array {
  const headers: FieldHeader[] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(fields)) {
    headers.push({ name, dtype: dtypeOf(a), shape: shapes[name] ?? [a.length], offset });
    offset += Math.ceil(a.byteLength / 8) * 8;
  }
  const header = new TextEncoder().encode(JSON.stringify({ fields: headers }));
  const start = Math.ceil((16 + header.length) / 8) * 8;
  const out = new Uint8Array(start + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, FORMAT, true);
  view.setUint32(12, header.length, true);
  out.set(header, 16);
  for (const h of headers) {
    const a = fields[h.name]!;
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), start + h.offset);
  }
  return out;
}

/** A parsed tensor file whose fields are taken with checks of their type and shape. */
export class TensorFile {
  private constructor(
    private readonly file: string,
    private readonly bytes: Uint8Array,
    private readonly start: number,
    private readonly fields: Map<string, FieldHeader>,
  ) {}

  static read(file: string, bytes: Uint8Array | undefined): TensorFile {
    const bad = (why: string): never => {
      throw new SomaError('REGISTRY_INTEGRITY', `${file}: ${why}`, { hint: 'run soma models verify; retrain if the artifact is damaged' });
    };
    if (!bytes) return bad('the artifact is missing');
    if (bytes.length < 16 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) return bad('not a soma tensor file (bad magic bytes)');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const version = view.getUint32(8, true);
    if (version !== FORMAT) bad(`format version ${version} is not supported (this soma reads version ${FORMAT})`);
    const hl = view.getUint32(12, true);
    if (16 + hl > bytes.length) bad(`header of ${hl} bytes runs past the end of the ${bytes.length}-byte file`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + hl)));
    } catch (e) {
      return bad(`header is not JSON (${(e as Error).message})`);
    }
    const list = (parsed as { fields?: unknown }).fields;
    if (!Array.isArray(list)) return bad('header has no field list');
    const start = Math.ceil((16 + hl) / 8) * 8;
    const fields = new Map<string, FieldHeader>();
    for (const f of list as FieldHeader[]) {
      const ok = f && typeof f.name === 'string' && f.dtype in CTOR && Array.isArray(f.shape) && f.shape.every((d) => Number.isInteger(d) && d >= 0) && Number.isInteger(f.offset) && f.offset >= 0 && f.offset % 8 === 0;
      if (!ok) bad(`field header ${JSON.stringify(f)} is malformed`);
      const n = f.shape.reduce((a, b) => a * b, 1);
      if (start + f.offset + n * CTOR[f.dtype].BYTES_PER_ELEMENT > bytes.length) bad(`field "${f.name}" (${f.shape.join(' x ')} ${f.dtype}) runs past the end of the file`);
      fields.set(f.name, f);
    }
    return new TensorFile(file, bytes, start, fields);
  }

  /** Field `name` as `dtype` with exactly `shape` (-1 = any length in that dimension); a copy the caller owns. */
  take<D extends TensorDtype>(name: string, dtype: D, shape: readonly number[]): InstanceType<(typeof CTOR)[D]> {
    const f = this.fields.get(name);
    const bad = (why: string): never => {
      throw new SomaError('REGISTRY_INTEGRITY', `${this.file}: field "${name}" ${why}`, { hint: 'run soma models verify; retrain if the artifact is damaged' });
    };
    if (!f) return bad(`is missing (fields: ${[...this.fields.keys()].join(', ') || 'none'})`);
    if (f.dtype !== dtype) bad(`is ${f.dtype}, expected ${dtype}`);
    if (f.shape.length !== shape.length || f.shape.some((d, i) => shape[i] !== -1 && shape[i] !== d)) {
      bad(`has shape ${f.shape.join(' x ')}, expected ${shape.map((d) => (d === -1 ? 'n' : d)).join(' x ')}`);
    }
    const ctor = CTOR[dtype];
    const n = f.shape.reduce((a, b) => a * b, 1);
    const copy = new ArrayBuffer(n * ctor.BYTES_PER_ELEMENT);
    new Uint8Array(copy).set(this.bytes.subarray(this.start + f.offset, this.start + f.offset + copy.byteLength));
    return new ctor(copy) as InstanceType<(typeof CTOR)[D]>;
  }

  /** Like take, and every value must be finite (factors, biases, similarities). */
  finite<D extends 'float32' | 'float64'>(name: string, dtype: D, shape: readonly number[]): InstanceType<(typeof CTOR)[D]> {
    const a = this.take(name, dtype, shape);
    for (let t = 0; t < a.length; t++) {
      if (!Number.isFinite(a[t]!)) {
        throw new SomaError('REGISTRY_INTEGRITY', `${this.file}: field "${name}" holds ${a[t]} at position ${t} (expected finite numbers)`, { hint: 'retrain the model' });
      }
    }
    return a;
  }

  /** Field `name` as int32 indices, each in [0, bound). */
  indices(name: string, shape: readonly number[], bound: number): Int32Array {
    const a = this.take(name, 'int32', shape);
    for (let t = 0; t < a.length; t++) {
      if (!(a[t]! >= 0 && a[t]! < bound)) {
        throw new SomaError('REGISTRY_INTEGRITY', `${this.file}: field "${name}" holds ${a[t]} at position ${t} (expected an index in 0..${bound - 1})`);
      }
    }
    return a;
  }
}
