import { describe, expect, it } from 'vitest';
import { sha256, sha256Stream } from '../../src/util/hash.js';

const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe('hash', () => {
  it('when a string or its bytes are hashed, then both give the FIPS 180-2 digest of "abc"', () => {
    expect(sha256('abc')).toBe(ABC);
    expect(sha256(new TextEncoder().encode('abc'))).toBe(ABC);
  });

  it('when the same bytes arrive as a stream of chunks, then the digest is the same as hashing them whole', async () => {
    async function* chunks(): AsyncGenerator<string | Uint8Array> {
      yield 'a';
      yield new TextEncoder().encode('b');
      yield 'c';
    }
    expect(await sha256Stream(chunks())).toBe(ABC);
  });
});
