import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildForStart, buildKey, ensureStartBuild, fingerprint, isCurrent } from './start-build.mjs';

let folder;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'skiff-start-build-'));
});
afterEach(() => rm(folder, { recursive: true, force: true }));

/** A checkout of two input files and a build folder holding `main.mjs` and a record of both. */
async function recordedBuild(key = 'key-1') {
  await writeFile(join(folder, 'a.ts'), 'export const a = 1;');
  await writeFile(join(folder, 'b.js'), 'module.exports = 2;');
  const outdir = join(folder, 'out');
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir);
  await writeFile(join(outdir, 'main.mjs'), '');
  const record = { key, inputs: fingerprint(['a.ts', 'b.js'], folder), outputs: ['main.mjs'] };
  await writeFile(join(outdir, 'build.json'), JSON.stringify(record));
  return outdir;
}

describe("npm start's build, kept between starts", () => {
  it('is reused while the key, the outputs and every input file are as recorded', async () => {
    const outdir = await recordedBuild();
    expect(await isCurrent(outdir, 'key-1', folder)).toBe(true);
  });

  it('is built again when an input changes, even to the same size, or goes', async () => {
    const outdir = await recordedBuild();
    await utimes(join(folder, 'a.ts'), new Date(), new Date(Date.now() + 5_000));
    expect(await isCurrent(outdir, 'key-1', folder)).toBe(false);
    await recordedBuild();
    await rm(join(folder, 'b.js'));
    expect(await isCurrent(outdir, 'key-1', folder)).toBe(false);
  });

  it('is built again when an output is gone, the key differs, or the record is missing or torn', async () => {
    const outdir = await recordedBuild();
    expect(await isCurrent(outdir, 'key-2', folder)).toBe(false);
    await rm(join(outdir, 'main.mjs'));
    expect(await isCurrent(outdir, 'key-1', folder)).toBe(false);
    await recordedBuild();
    const record = await readFile(join(outdir, 'build.json'), 'utf8');
    await writeFile(join(outdir, 'build.json'), record.slice(0, 40));
    expect(await isCurrent(outdir, 'key-1', folder)).toBe(false);
    await rm(join(outdir, 'build.json'));
    expect(await isCurrent(outdir, 'key-1', folder)).toBe(false);
  });

  it('keys a build to the esbuild version and the build script', () => {
    expect(buildKey()).toMatch(/^[0-9a-f]{64}$/);
    expect(buildKey()).toBe(buildKey());
  });

  it('builds the platform once, reuses it, and builds again when an output is lost', async () => {
    const outdir = join(folder, 'start');
    expect(await ensureStartBuild(outdir)).toEqual({ built: true });
    const record = JSON.parse(await readFile(join(outdir, 'build.json'), 'utf8'));
    expect(Object.keys(record.inputs)).toContain('src/main.ts');
    expect(Object.keys(record.inputs).some((path) => path.startsWith('node_modules/fastify/'))).toBe(true);
    expect(record.outputs).toContain('main.mjs');
    expect(await ensureStartBuild(outdir)).toEqual({ built: false });
    await rm(join(outdir, 'main.mjs'));
    expect(await ensureStartBuild(outdir)).toEqual({ built: true });
  }, 60_000);

  it('runs a quick build when the full one is out of date, and remakes that in the background', async () => {
    const dirs = { full: join(folder, 'full'), quick: join(folder, 'quick'), remakeAfterMs: 0 };
    expect(await buildForStart(dirs)).toBe(dirs.quick);
    await expect(stat(join(dirs.quick, 'main.mjs'))).resolves.toBeTruthy();
    const deadline = Date.now() + 45_000;
    while (!(await isCurrent(dirs.full, buildKey())) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await buildForStart(dirs)).toBe(dirs.full);
  }, 60_000);
});
