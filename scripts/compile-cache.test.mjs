import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { enableCompileCache } from './compile-cache.mjs';

// Node 20, which runs these tests, has no module.enableCompileCache: Node 22's is stood in for, and
// what it is asked is checked.
const checkoutCache = fileURLToPath(new URL('../.skiff/compile-cache/', import.meta.url));

describe("npm start's compile cache", () => {
  it("asks Node 22+ to cache in the checkout's .skiff, and passes the folder on to forked processes", () => {
    const env = {};
    const answer = { status: 1, directory: checkoutCache };
    const moduleApi = { enableCompileCache: vi.fn(() => answer) };
    expect(enableCompileCache(moduleApi, env)).toBe(answer);
    expect(moduleApi.enableCompileCache).toHaveBeenCalledExactlyOnceWith(checkoutCache);
    expect(env).toEqual({ NODE_COMPILE_CACHE: checkoutCache });
  });

  it('keeps a folder the user chose', () => {
    const env = { NODE_COMPILE_CACHE: '/var/cache/skiff' };
    const moduleApi = { enableCompileCache: vi.fn() };
    enableCompileCache(moduleApi, env);
    expect(moduleApi.enableCompileCache).toHaveBeenCalledExactlyOnceWith('/var/cache/skiff');
    expect(env.NODE_COMPILE_CACHE).toBe('/var/cache/skiff');
  });

  it('does nothing on a Node without the cache (20), not even to the environment its children inherit', () => {
    const env = {};
    expect(enableCompileCache({}, env)).toBeUndefined();
    expect(env).toEqual({});
  });
});
