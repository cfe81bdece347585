import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// P5's loader (cold-start.cjs) on a small CommonJS bundle: what it prints, and that a start "from a
// code cache" is one V8 took, never a silent start from source. No timing is asserted.

const loader = new URL('./cold-start.cjs', import.meta.url).pathname;
const event = JSON.stringify({ rawPath: '/healthz' });
let folder: string;
let bundle: string;

beforeAll(async () => {
  // Outside the repository, whose package.json makes `.js` an ES module; Lambda's bundles are CommonJS.
  folder = await mkdtemp(join(tmpdir(), 'skiff-cold-start-'));
  bundle = join(folder, 'index.js');
  await writeFile(
    bundle,
    `const answer = (path) => ({ statusCode: path === '/healthz' ? 200 : 404 });
exports.handler = async (event) => answer(event.rawPath);`,
  );
});
afterAll(() => rm(folder, { recursive: true, force: true }));

const start = (args: string[], flags: string[] = []) =>
  JSON.parse(
    execFileSync(process.execPath, [...flags, loader, bundle, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );

describe("P5's cold-start loader", () => {
  it('loads a bundle, answers the event and prints both times and the status', () => {
    expect(start([event])).toEqual({
      loadMs: expect.any(Number),
      firstEventMs: expect.any(Number),
      status: 200,
    });
    // A worker's start: no event, its load only.
    expect(start([''])).toMatchObject({ firstEventMs: 0, status: null });
  });

  it('compiles the bundle from its source, writes a code cache after the first event, and starts from it', async () => {
    const cache = join(folder, 'made.v8cache');
    expect(start([event, 'source']).status).toBe(200);
    expect(start([event, 'make', cache]).status).toBe(200);
    expect((await stat(cache)).size).toBeGreaterThan(0);
    expect(start([event, 'use', cache]).status).toBe(200);
  });

  it('fails, rather than timing a start from source, when V8 rejects the cache', async () => {
    const cache = join(folder, 'not-a-cache.v8cache');
    await writeFile(cache, Buffer.alloc(4096, 1));
    expect(() => start([event, 'use', cache])).toThrow(/V8 rejected the code cache/);
  });

  it('refuses a loading mode it does not know, and a cache mode with no file', () => {
    expect(() => start([event, 'Use'])).toThrow(
      /the loading mode is one of require, source, make, use, not Use/,
    );
    expect(() => start([event, 'use'])).toThrow(/use needs a cache file/);
  });
});
