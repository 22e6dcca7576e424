// Typed arrays <-> base64 strings, for learned state saved as JSON (little-endian, as every
// platform Node runs on).

export type TypedArray = Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

type TypedArrayCtor<T extends TypedArray> = { new (buffer: ArrayBuffer, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number };

export function encodeTyped(a: TypedArray): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function decodeTyped<T extends TypedArray>(ctor: TypedArrayCtor<T>, s: string): T {
  const buf = Buffer.from(s, 'base64');
  if (buf.byteLength % ctor.BYTES_PER_ELEMENT !== 0) {
    throw new Error(`base64 payload of ${buf.byteLength} bytes is not a whole number of ${ctor.BYTES_PER_ELEMENT}-byte elements`);
  }
  // Copy into a fresh, aligned buffer: Buffer's pool offset may not be aligned for the element size.
  const copy = new ArrayBuffer(buf.byteLength);
  new Uint8Array(copy).set(buf);
  return new ctor(copy, 0, buf.byteLength / ctor.BYTES_PER_ELEMENT);
}

export const encodeF64 = (a: Float64Array): string => encodeTyped(a);
export const decodeF64 = (s: string): Float64Array => decodeTyped(Float64Array, s);
export const decodeI32 = (s: string): Int32Array => decodeTyped(Int32Array, s);
