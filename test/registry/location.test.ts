import { describe, expect, it } from 'vitest';
import { defaultRegistryDir, resolveRegistryDir } from '../../src/registry/location.js';

describe('registry location', () => {
  it('when nothing is set, then it is ./artifacts/registry; SOMA_REGISTRY and --registry override in that order', () => {
    expect(defaultRegistryDir({}, '/w')).toBe('/w/artifacts/registry');
    expect(defaultRegistryDir({ SOMA_REGISTRY: 'reg' }, '/w')).toBe('/w/reg');
    expect(defaultRegistryDir({ SOMA_REGISTRY: '/abs/reg' }, '/w')).toBe('/abs/reg');
    expect(resolveRegistryDir('cli', { SOMA_REGISTRY: '/abs/reg' }, '/w')).toBe('/w/cli');
    expect(resolveRegistryDir(undefined, { SOMA_REGISTRY: '' }, '/w')).toBe('/w/artifacts/registry');
  });
});
