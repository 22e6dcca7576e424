import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/util/url.js';

describe('redactUrl', () => {
  it('when a URL carries a password in its user part or its query, then both are replaced by *** and the rest is kept', () => {
    expect(redactUrl('postgresql://soma:s3cret@db:5432/x')).toBe('postgresql://soma:***@db:5432/x');
    expect(redactUrl('redis://:pw@127.0.0.1:6379/2')).toBe('redis://:***@127.0.0.1:6379/2');
    expect(redactUrl('postgresql://soma@db/x?password=s3cret&sslmode=require')).toBe('postgresql://soma@db/x?password=***&sslmode=require');
    expect(redactUrl('postgresql://soma@db/x')).toBe('postgresql://soma@db/x');
  });
});
