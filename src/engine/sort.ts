// Sorting doubles faster than TypedArray.prototype.sort, with the same order.

/**
 * Sorts non-NaN doubles ascending in place, as TypedArray.prototype.sort does (-0 before +0), with
 * an LSD radix sort on the IEEE-754 bits: four passes of 16 bits, about 2x faster than the
 * comparison sort on the tree engine's 200k-value quantile samples and a profile's 800k-row
 * columns. `scratch` holds at least as many values.
 */
export function sortFloats(values: Float64Array, scratch: Float64Array): Float64Array {
  const n = values.length;
  if (n < 512) return values.sort();
  // Ordered keys: negative numbers get every bit flipped, others just the sign bit.
  let a = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  let b = new Uint32Array(scratch.buffer, scratch.byteOffset, 2 * n);
  for (let i = 0; i < n; i++) {
    const hi = a[2 * i + 1]!;
    if (hi >>> 31) {
      a[2 * i] = ~a[2 * i]!;
      a[2 * i + 1] = ~hi;
    } else a[2 * i + 1] = hi | 0x80000000;
  }
  const count = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const word = pass >> 1;
    const shift = (pass & 1) * 16;
    count.fill(0);
    for (let i = 0; i < n; i++) count[(a[2 * i + word]! >>> shift) & 0xffff]++;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = count[d]!;
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const d = (a[2 * i + word]! >>> shift) & 0xffff;
      const o = 2 * count[d]!++;
      b[o] = a[2 * i]!;
      b[o + 1] = a[2 * i + 1]!;
    }
    const t = a;
    a = b;
    b = t;
  }
  // After an even number of passes the keys are back in `values`; undo the key transform.
  for (let i = 0; i < n; i++) {
    const hi = a[2 * i + 1]!;
    if (hi >>> 31) a[2 * i + 1] = hi & 0x7fffffff;
    else {
      a[2 * i] = ~a[2 * i]!;
      a[2 * i + 1] = ~hi;
    }
  }
  return values;
}
