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
  });

  it('writes a code cache after the first event and starts from it', async () => {
    const cache = join(folder, 'made.v8cache');
    expect(start([event, cache, 'make']).status).toBe(200);
    expect((await stat(cache)).size).toBeGreaterThan(0);
    expect(start([event, cache, 'use']).status).toBe(200);
  });

  it('fails, rather than timing a start from source, when V8 rejects the cache', () => {
    const cache = join(folder, 'other-flags.v8cache');
    start([event, cache, 'make']);
    // V8 takes a cache only under the flags it was made with; --expose-gc changes them (Node 20 and 24).
    expect(() => start([event, cache, 'use'], ['--expose-gc'])).toThrow(/V8 rejected the code cache/);
  });
});
