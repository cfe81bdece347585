import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildForStart,
  buildKey,
  checkModules,
  currentBuild,
  ensureStartBuild,
  failedStartName,
  fingerprint,
  isSessionLeader,
  runStart,
} from './start-build.mjs';

let folder;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'skiff-start-build-'));
});
afterEach(() => rm(folder, { recursive: true, force: true }));

/** A checkout of two input files, and a build of them recorded in `out/`, its files in `out/abc/`. */
async function recordedBuild(key = 'key-1') {
  await writeFile(join(folder, 'a.ts'), 'export const a = 1;');
  await writeFile(join(folder, 'b.js'), 'module.exports = 2;');
  const dir = join(folder, 'out');
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'abc'), { recursive: true });
  await writeFile(join(dir, 'abc', 'main.mjs'), '');
  const record = { key, inputs: fingerprint(['a.ts', 'b.js'], folder), folder: 'abc' };
  await writeFile(join(dir, 'build.json'), JSON.stringify(record));
  return dir;
}

describe("npm start's build, kept between starts", () => {
  it('is reused while the key, its main module and every input file are as recorded', async () => {
    const dir = await recordedBuild();
    expect(await currentBuild(dir, 'key-1', folder)).toBe(join(dir, 'abc'));
  });

  it('is built again when an input changes, in time or in size, or goes', async () => {
    const dir = await recordedBuild();
    await utimes(join(folder, 'a.ts'), new Date(), new Date(Date.now() + 5_000));
    expect(await currentBuild(dir, 'key-1', folder)).toBeUndefined();
    await recordedBuild();
    const { inputs } = JSON.parse(await readFile(join(dir, 'build.json'), 'utf8'));
    await writeFile(join(folder, 'b.js'), 'module.exports = 22;');
    await utimes(join(folder, 'b.js'), new Date(), new Date(inputs['b.js'][1])); // the recorded time
    expect(await currentBuild(dir, 'key-1', folder)).toBeUndefined();
    await recordedBuild();
    await rm(join(folder, 'b.js'));
    expect(await currentBuild(dir, 'key-1', folder)).toBeUndefined();
  });

  it('is built again when its main module is gone, the key differs, or the record is missing or torn', async () => {
    const dir = await recordedBuild();
    expect(await currentBuild(dir, 'key-2', folder)).toBeUndefined();
    await rm(join(dir, 'abc', 'main.mjs'));
    expect(await currentBuild(dir, 'key-1', folder)).toBeUndefined();
    await recordedBuild();
    const record = await readFile(join(dir, 'build.json'), 'utf8');
    await writeFile(join(dir, 'build.json'), record.slice(0, 40));
    expect(await currentBuild(dir, 'key-1', folder)).toBeUndefined();
    await rm(join(dir, 'build.json'));
    expect(await currentBuild(dir, 'key-1', folder)).toBeUndefined();
  });

  it('keys a build to the lock files, package.json and tsconfig.json too', async () => {
    const files = ['package.json', 'tsconfig.json', 'package-lock.json'];
    for (const file of files) await writeFile(join(folder, file), '{}');
    const first = buildKey(folder);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(buildKey(folder)).toBe(first);
    for (const file of files) {
      await writeFile(join(folder, file), '{"changed":true}');
      expect(buildKey(folder), file).not.toBe(first);
      await writeFile(join(folder, file), '{}');
    }
    expect(buildKey(folder)).toBe(first);
  });

  it('builds the platform once, reuses it, and builds again when its main module is lost', async () => {
    const dir = join(folder, 'start');
    expect(await ensureStartBuild(dir)).toEqual({ built: true });
    const record = JSON.parse(await readFile(join(dir, 'build.json'), 'utf8'));
    expect(Object.keys(record.inputs)).toContain('src/main.ts');
    expect(Object.keys(record.inputs).some((path) => path.startsWith('node_modules/fastify/'))).toBe(true);
    expect(existsSync(join(dir, record.folder, 'dynalite-process.mjs'))).toBe(true);
    // The source maps point back into src/ from the build's own folder.
    const map = JSON.parse(await readFile(join(dir, record.folder, 'main.mjs.map'), 'utf8'));
    expect(map.sources.map((source) => join(dir, record.folder, source))).toContain(
      join(process.cwd(), 'src/main.ts'),
    );
    expect(await ensureStartBuild(dir)).toEqual({ built: false });
    await rm(join(dir, record.folder, 'main.mjs'));
    // Another build's folder and a torn write, one over an hour old, one recent (a start may run it).
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    for (const name of ['old-build', 'recent-build']) await mkdir(join(dir, name));
    await writeFile(join(dir, 'main.mjs.123.tmp'), '');
    await utimes(join(dir, 'old-build'), twoHoursAgo, twoHoursAgo);
    await utimes(join(dir, 'main.mjs.123.tmp'), twoHoursAgo, twoHoursAgo);
    expect(await ensureStartBuild(dir)).toEqual({ built: true });
    expect(existsSync(join(dir, 'old-build'))).toBe(false);
    expect(existsSync(join(dir, 'main.mjs.123.tmp'))).toBe(false);
    expect(existsSync(join(dir, 'recent-build'))).toBe(true);
    expect(existsSync(join(dir, record.folder, 'main.mjs'))).toBe(true);
    expect(await ensureStartBuild(dir)).toEqual({ built: false });
    // Made again from changed inputs (here: no record), the same output is tried again, not set aside.
    const { folder: kept } = JSON.parse(await readFile(join(dir, 'build.json'), 'utf8'));
    await writeFile(join(dir, kept, failedStartName), 'an earlier failed start');
    await rm(join(dir, 'build.json'));
    expect(await ensureStartBuild(dir)).toEqual({ built: true });
    expect(JSON.parse(await readFile(join(dir, 'build.json'), 'utf8')).folder).toBe(kept);
    expect(existsSync(join(dir, kept, failedStartName))).toBe(false);
  }, 90_000);

  it('runs a quick build when the full one is out of date, and remakes that in the background', async () => {
    const dirs = { full: join(folder, 'full'), quick: join(folder, 'quick'), remakeAfterMs: 0 };
    const first = await buildForStart(dirs);
    expect(first.full).toBe(false);
    expect(existsSync(join(first.folder, 'main.mjs'))).toBe(true);
    expect(first.folder.startsWith(dirs.quick)).toBe(true);
    const deadline = Date.now() + 45_000;
    while (!(await currentBuild(dirs.full, buildKey())) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const second = await buildForStart(dirs);
    expect(second.full).toBe(true);
    expect(second.folder.startsWith(dirs.full)).toBe(true);
    // A build made long ago but run now is in use: a start marks it, so no later build removes it.
    const longAgo = new Date(Date.now() - 3 * 86_400_000);
    await utimes(second.folder, longAgo, longAgo);
    expect((await buildForStart(dirs)).folder).toBe(second.folder);
    expect(statSync(second.folder).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
  }, 60_000);

  it('refuses a build with a module Node cannot parse, such as a name declared twice', async () => {
    await writeFile(join(folder, 'main.mjs'), 'const require = 1;\n');
    await expect(checkModules(folder)).resolves.toBeUndefined();
    await writeFile(join(folder, 'chunk.mjs'), 'const __dirname = 1;\nconst __dirname = 2;\n');
    await expect(checkModules(folder)).rejects.toThrow(/already been declared/);
  });

  it("lowers a scheduling group's priority only from the process that leads its session", () => {
    const stat = (pid, session, name = 'node') => `${pid} (${name}) S 1 ${session} ${session} 0 -1 4194560`;
    expect(isSessionLeader(stat(4321, 4321), 4321)).toBe(true);
    expect(isSessionLeader(stat(4321, 77), 4321)).toBe(false);
    // A command's name may hold ") " itself; the fields follow the last parenthesis.
    expect(isSessionLeader(stat(4321, 77, 'odd) S 1 4321 4321'), 4321)).toBe(false);
  });

  describe('a full build that fails to start', () => {
    /** A full build of this checkout as recorded, its main module `fails` to start. */
    async function failingFullBuild() {
      const full = join(folder, 'full');
      await mkdir(join(full, 'abc'), { recursive: true });
      await writeFile(join(full, 'abc', 'main.mjs'), '');
      await writeFile(
        join(full, 'build.json'),
        JSON.stringify({ key: buildKey(), inputs: {}, folder: 'abc' }),
      );
      return { full, quick: join(folder, 'quick'), remakeAfterMs: 60_000 };
    }

    /**
     * Stand-ins for the builds' main modules, which would start a real platform: the full build's
     * (under `full`) fails with `fullError`, the quick build's with `quickError` unless undefined.
     * `startupFailed` throws what it is given, where the real one exits.
     */
    function platforms(full, { fullError, quickError, configError = false, loadError, onFullFailure }) {
      const events = [];
      const warnings = [];
      const load = async (buildFolder) => {
        const which = buildFolder.startsWith(full) ? 'full' : 'quick';
        events.push(`load ${which}`);
        if (which === 'full' && loadError) throw loadError;
        const error = which === 'full' ? fullError : quickError;
        return {
          startLocal: async () => {
            if (error && which === 'full') await onFullFailure?.();
            if (error) throw error;
            events.push(`${which} started`);
          },
          mayBeTheBuild: () => !configError,
          startupFailed: (failure) => {
            events.push(`${which} startupFailed: ${failure.message}`);
            throw failure;
          },
        };
      };
      return { events, warnings, load, warn: (line) => warnings.push(line) };
    }

    it('starts from the quick build in the same process, then sets the full one aside until an input changes', async () => {
      const dirs = await failingFullBuild();
      const fake = platforms(dirs.full, { fullError: new Error('a package reads a file beside itself') });
      await runStart({ ...dirs, ...fake });
      expect(fake.events).toEqual(['load full', 'load quick', 'quick started']);
      const log = join(dirs.full, 'abc', failedStartName);
      expect(await readFile(log, 'utf8')).toContain('a package reads a file beside itself');
      expect(fake.warnings.join('\n')).toContain(log);
      // The next start goes straight to the quick build, and says why.
      const next = platforms(dirs.full, {});
      await runStart({ ...dirs, ...next });
      expect(next.events).toEqual(['load quick', 'quick started']);
      expect(next.warnings).toEqual([
        expect.stringContaining(`failed to start where the quick build started (${log})`),
      ]);
    }, 60_000);

    it('blames the platform, not the bundle, when the quick build fails too', async () => {
      const dirs = await failingFullBuild();
      const fake = platforms(dirs.full, {
        fullError: new Error('port taken'),
        quickError: new Error('port taken'),
      });
      await expect(runStart({ ...dirs, ...fake })).rejects.toThrow('port taken');
      expect(fake.events).toEqual(['load full', 'load quick', 'quick startupFailed: port taken']);
      expect(existsSync(join(dirs.full, 'abc', failedStartName))).toBe(false);
      const again = platforms(dirs.full, {});
      await runStart({ ...dirs, ...again });
      expect(again.events).toEqual(['load full', 'full started']);
    }, 60_000);

    it('tries the quick build when the bundle cannot even be loaded', async () => {
      const dirs = await failingFullBuild();
      const fake = platforms(dirs.full, { loadError: new SyntaxError('a chunk that does not evaluate') });
      await runStart({ ...dirs, ...fake });
      expect(fake.events).toEqual(['load full', 'load quick', 'quick started']);
      expect(fake.warnings[0]).toContain('(a chunk that does not evaluate)');
      expect(existsSync(join(dirs.full, 'abc', failedStartName))).toBe(true);
    }, 60_000);

    it('keeps the quick platform running when the mark cannot be written', async () => {
      const dirs = await failingFullBuild();
      const gone = () => rm(join(dirs.full, 'abc'), { recursive: true, force: true });
      const fake = platforms(dirs.full, { fullError: new Error('broken once bundled'), onFullFailure: gone });
      await runStart({ ...dirs, ...fake });
      expect(fake.events).toEqual(['load full', 'load quick', 'quick started']);
      expect(fake.warnings.at(-1)).toContain('could not be written');
    }, 60_000);

    it('does not try the quick build for a refused configuration', async () => {
      const dirs = await failingFullBuild();
      const fake = platforms(dirs.full, {
        fullError: new Error('PORT must be a whole number'),
        configError: true,
      });
      await expect(runStart({ ...dirs, ...fake })).rejects.toThrow('PORT');
      expect(fake.events).toEqual(['load full', 'full startupFailed: PORT must be a whole number']);
      expect(fake.warnings).toEqual([]);
    });
  });
});
