// The builds that `npm start` runs (decision 0017). The full one, src/main.ts and the packages it
// imports as ES modules, is kept in .skiff/start/ between starts while none of its input files has
// changed: loading it is about 0.8 s faster than Node loading ~1,500 modules from node_modules, but
// making it takes 1.5–2 s. So a start that finds it out of date runs a quick build instead (the
// packages left to Node, about 0.15 s, in .skiff/start-quick/) and, once started, remakes the full
// one in the background at the lowest CPU priority, for the next start.
//
// Each build goes whole into a folder named by its content, and a full build is trusted only
// through its record (build.json), written last: a start never runs half a build, nor one that
// another start is replacing, and a running platform keeps the chunks it has yet to import.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
export const startDir = join(root, '.skiff', 'start');
const quickDir = join(root, '.skiff', 'start-quick');
const recordName = 'build.json';
export const errorLogName = 'last-error.log';
/**
 * What a full build's folder holds once it failed to start where the quick build then started: the
 * error, for the developer, and the mark that makes later starts run the quick build.
 */
export const failedStartName = 'failed-start.log';
/**
 * A build no start has run for this long is removed: a platform started from it has imported its
 * lazy chunks by then. Each start marks the build it runs (the folder's time), so a kept build in use
 * for days is not "old".
 */
const keepOldBuildsMs = 60 * 60_000;

/**
 * Packages that break when moved into the bundle, so Node loads them from node_modules: dynalite
 * (its LevelDB is a native addon found beside the package), pino (a bundle's dynamic `import()`
 * loses its CommonJS named export `pino`) and @fastify/swagger-ui (it reads its static files from its
 * own folder). A package that fails once bundled belongs here.
 */
const unbundled = ['dynalite', 'pino', '@fastify/swagger-ui'];

/**
 * The bundle holds CommonJS packages inside ES modules: they get the `require`, `__filename` and
 * `__dirname` that Node gives a CommonJS module. A bundled module declaring one of these names
 * itself would clash with them; `checkModules` catches that before the build is trusted.
 */
const commonJsGlobals = [
  "import { createRequire as __skiffRequire } from 'node:module';",
  "import { fileURLToPath as __skiffPath } from 'node:url';",
  "import { dirname as __skiffDirname } from 'node:path';",
  'const require = __skiffRequire(import.meta.url);',
  'const __filename = __skiffPath(import.meta.url);',
  'const __dirname = __skiffDirname(__filename);',
].join(' ');

/**
 * The full build's options; `{ quick: true }` leaves every package to Node. `outdir` only sets the
 * depth that the source maps' paths are relative to: the files go into a folder of their own.
 */
export function buildOptions(outdir, { quick = false } = {}) {
  const packages = quick
    ? { packages: 'external' }
    : { external: unbundled, banner: { js: commonJsGlobals } };
  return {
    ...packages,
    // The engine's process (dynalite-process.mjs) sits beside main.mjs and the chunks, where
    // src/local/dynamo-engine.ts looks for it (`new URL('./dynalite-process.mjs', import.meta.url)`).
    entryPoints: { main: 'src/main.ts', 'dynalite-process': 'src/local/dynalite-process.mjs' },
    absWorkingDir: root,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // src/main.ts imports the platform dynamically, after it has forked the embedded DynamoDB: split,
    // those modules (and the packages they import) load only then, while the engine starts.
    splitting: true,
    // Stack traces name src/ lines; without the sources' text the map is a third of its size, and
    // Node reads it whole at load.
    sourcemap: true,
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: 'error',
  };
}

/**
 * What a build depends on besides its input files: esbuild's version, this file (its options), the
 * project's package.json and tsconfig.json (which esbuild reads, but its metafile does not list),
 * and the lock files, so that any change of the installed packages rebuilds even where an installer
 * kept the files' sizes and times. esbuild itself is imported only to build: its import alone takes
 * about 75 ms.
 */
export function buildKey(base = root) {
  const esbuildPackage = createRequire(import.meta.url).resolve('esbuild/package.json');
  const { version } = JSON.parse(readFileSync(esbuildPackage, 'utf8'));
  const hash = createHash('sha256')
    .update(version)
    .update(readFileSync(fileURLToPath(import.meta.url)));
  for (const file of [
    'package.json',
    'tsconfig.json',
    'package-lock.json',
    'node_modules/.package-lock.json',
  ]) {
    const path = join(base, file);
    hash.update(existsSync(path) ? readFileSync(path) : `no ${file}`);
  }
  return hash.digest('hex');
}

/** Each input file's size and modification time, which a later start compares. */
export function fingerprint(paths, base = root) {
  return Object.fromEntries(
    paths.map((path) => {
      const { size, mtimeMs } = statSync(join(base, path));
      return [path, [size, mtimeMs]];
    }),
  );
}

const sameStat = ([size, mtime], [otherSize, otherMtime]) => size === otherSize && mtime === otherMtime;

/**
 * The folder of the full build recorded in `dir`, when it can run as it is: made under `key`, its
 * `main.mjs` there, and every input file (sources and packages, about 1,900) of the same size and
 * modification time. Otherwise (no record, a torn one, a file gone) undefined.
 */
export async function currentBuild(dir, key, base = root) {
  try {
    const record = JSON.parse(await readFile(join(dir, recordName), 'utf8'));
    if (record.key !== key || !existsSync(join(dir, record.folder, 'main.mjs'))) return undefined;
    const now = fingerprint(Object.keys(record.inputs), base);
    const unchanged = Object.entries(record.inputs).every(([path, was]) => sameStat(was, now[path]));
    return unchanged ? join(dir, record.folder) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `folder` holds every one of a build's files, at its size. */
function holdsAll(folder, outdir, outputFiles) {
  return outputFiles.every((file) => {
    const size = statSync(join(folder, relative(outdir, file.path)), { throwIfNoEntry: false })?.size;
    return size === file.contents.length;
  });
}

/**
 * Writes a build's files into a folder of `dir` named by their content, whole or not at all: into a
 * temporary folder first, renamed into place. A folder already there with all the files is kept; one
 * with a file missing (removed by hand) is replaced.
 */
async function writeFolder(dir, outdir, outputFiles) {
  const hash = createHash('sha256');
  for (const file of outputFiles) hash.update(relative(outdir, file.path)).update(file.contents);
  const name = hash.digest('hex').slice(0, 16);
  const final = join(dir, name);
  if (holdsAll(final, outdir, outputFiles)) return name;
  const temporary = join(dir, `${name}.${process.pid}.tmp`);
  await mkdir(temporary, { recursive: true });
  for (const file of outputFiles) {
    await writeFile(join(temporary, relative(outdir, file.path)), file.contents);
  }
  await rm(final, { recursive: true, force: true });
  await rename(temporary, final).catch(async (error) => {
    // Another start wrote the same folder first.
    if (!holdsAll(final, outdir, outputFiles)) throw error;
    await rm(temporary, { recursive: true, force: true });
  });
  return name;
}

/**
 * Removes what `dir` holds besides the build `keep`, its record and its error log, once untouched for
 * an hour: builds no start has run since, and what a start that crashed mid-write left.
 */
async function removeOldBuilds(dir, keep) {
  const kept = new Set([keep, recordName, errorLogName]);
  for (const name of await readdir(dir)) {
    if (kept.has(name)) continue;
    const path = join(dir, name);
    // Another start may have removed it since the listing.
    const modified = (await stat(path).catch(() => undefined))?.mtimeMs ?? Date.now();
    if (modified < Date.now() - keepOldBuildsMs) await rm(path, { recursive: true, force: true });
  }
}

/**
 * Fails when Node cannot parse one of the modules, e.g. when a bundled module declares a name the
 * banner declares too: a syntax error that esbuild lets through, and that would otherwise stop every
 * start until an input changed.
 */
export async function checkModules(folder) {
  const modules = (await readdir(folder)).filter((name) => name.endsWith('.mjs'));
  const check = promisify(execFile);
  await Promise.all(modules.map((name) => check(process.execPath, ['--check', join(folder, name)])));
}

/**
 * Records each input file's size and time as esbuild reads it, so that a file saved while esbuild
 * ran (whose content may not be what it read) is seen without trusting any clock.
 */
function readTimes() {
  const times = new Map();
  const plugin = {
    name: 'read-times',
    setup(build) {
      build.onLoad({ filter: /.*/ }, ({ path }) => {
        const { size, mtimeMs } = statSync(path);
        times.set(path, [size, mtimeMs]);
        return undefined; // esbuild loads the file as it would have
      });
    },
  };
  return { plugin, times };
}

/**
 * Makes `dir` hold a current full build: reuses the last one when `currentBuild` finds it, builds
 * otherwise (about 1.5–2 s). Gives whether it built. A build whose inputs changed while it ran is
 * written but not recorded, so the next start builds again. esbuild prints what failed, with file
 * and line, and the promise rejects.
 */
export async function ensureStartBuild(dir = startDir) {
  const key = buildKey();
  if (await currentBuild(dir, key)) return { built: false };
  const { build } = await import('esbuild');
  const outdir = join(dir, 'build');
  const { plugin, times } = readTimes();
  const { outputFiles, metafile } = await build({ ...buildOptions(outdir), plugins: [plugin] });
  const inputs = fingerprint(Object.keys(metafile.inputs));
  await mkdir(dir, { recursive: true });
  const folder = await writeFolder(dir, outdir, outputFiles);
  await checkModules(join(dir, folder));
  const settled = Object.entries(inputs).every(([path, now]) => {
    const read = times.get(join(root, path));
    return read !== undefined && sameStat(read, now);
  });
  if (settled) {
    // The same output made again, from changed inputs, is worth a start of its own.
    await rm(join(dir, folder, failedStartName), { force: true });
    const temporary = join(dir, `${recordName}.${process.pid}.tmp`);
    await writeFile(temporary, JSON.stringify({ key, inputs, folder }));
    await rename(temporary, join(dir, recordName));
  }
  await removeOldBuilds(dir, folder);
  return { built: true };
}

/** The quick build, made afresh each time it is used, as every start did before the full one. */
async function quickBuild(dir) {
  const { build } = await import('esbuild');
  const outdir = join(dir, 'build');
  const { outputFiles } = await build(buildOptions(outdir, { quick: true }));
  await mkdir(dir, { recursive: true });
  const folder = await writeFolder(dir, outdir, outputFiles);
  await removeOldBuilds(dir, folder);
  return join(dir, folder);
}

/**
 * Remakes the full build in a detached process, its output in `dir`/last-error.log. Without the
 * parent's NODE_OPTIONS, so a debugger attached to `npm start` does not attach to it too.
 */
function remakeInBackground(dir) {
  const { NODE_OPTIONS: _, ...env } = process.env;
  spawn(process.execPath, [fileURLToPath(import.meta.url), '--background', dir], {
    detached: true,
    stdio: 'ignore',
    env,
  }).unref();
}

/**
 * The folder whose `main.mjs` this start runs, and whether it is the full build: the full build when
 * it is current and has not failed to start where the quick one started (`failedStart` then names
 * its error); otherwise the quick one, and `remakeAfterMs` later (once the platform has started, so
 * as not to slow it), if this process still runs, a detached process remakes the full one.
 */
export async function buildForStart({ full = startDir, quick = quickDir, remakeAfterMs = 5_000 } = {}) {
  const current = await currentBuild(full, buildKey());
  const failedStart = current && join(current, failedStartName);
  if (current && !existsSync(failedStart)) return { folder: await markInUse(current), full: true };
  const folder = await quickStartBuild(quick);
  // The same inputs would make the same full build again: only a change of them is worth a remake.
  if (current) return { folder, full: false, failedStart };
  setTimeout(() => remakeInBackground(full), remakeAfterMs).unref();
  return { folder, full: false };
}

/** A quick build, marked as run. */
export async function quickStartBuild(quick = quickDir) {
  return markInUse(await quickBuild(quick));
}

/**
 * Runs the platform (`startLocal` of src/main.ts) from the build `buildForStart` picks. When the full
 * build fails to start, with an error a build could cause, the quick one is tried in this process,
 * under the same configuration and ports: if it starts, the full build is at fault (a package that
 * breaks once bundled), and it is marked so that no later start runs it. If not, the platform's own
 * message. `load` imports a build's main module.
 */
export async function runStart({ warn = console.warn, load = loadMain, ...folders } = {}) {
  const { folder, full, failedStart } = await buildForStart(folders);
  if (!full) warn(whyQuick(failedStart, folders.full ?? startDir));
  let platform;
  try {
    platform = await load(folder);
    await platform.startLocal();
  } catch (error) {
    // A bundle that could not even be loaded may be at fault too; it has no `startupFailed` to call.
    if (full && (!platform || platform.mayBeTheBuild(error))) {
      await startFromQuick(folder, error, { warn, load, quick: folders.quick });
    } else if (platform) {
      platform.startupFailed(error);
    } else {
      throw error;
    }
  }
}

/** After the full build in `folder` failed to start with `error`: the quick build, then the mark. */
async function startFromQuick(folder, error, { warn, load, quick }) {
  const reason = String(error?.message ?? error)
    .split('\n')[0]
    .slice(0, 300);
  warn(
    `skiff: the platform did not start from the bundle of its packages (${reason}): trying the quick build, which leaves them to Node.`,
  );
  const platform = await load(await quickStartBuild(quick));
  await platform.startLocal().catch(platform.startupFailed);
  const log = join(folder, failedStartName);
  try {
    await writeFile(log, `${new Date().toISOString()}\n${error?.stack ?? String(error)}\n`);
  } catch {
    // The platform runs: a mark that cannot be written only means the next start tries the bundle.
    warn(`skiff: the quick build started where the bundle did not; ${log} could not be written.`);
    return;
  }
  warn(
    `skiff: the quick build started where the bundle did not, so npm start runs the quick build until the sources or packages change; the bundle's error is in ${log}. A package that fails once bundled belongs in \`unbundled\` (scripts/start-build.mjs).`,
  );
}

const loadMain = (folder) => import(pathToFileURL(join(folder, 'main.mjs')).href);

/** Why a start runs the quick build, in one line for stderr. */
function whyQuick(failedStart, fullDir) {
  const errorLog = join(fullDir, errorLogName);
  if (failedStart)
    return `skiff: the bundle of the packages failed to start where the quick build started (${failedStart}): running the quick build until the sources or packages change.`;
  return existsSync(errorLog)
    ? `skiff: the last bundle of the packages failed (${errorLog}): running the quick build, and trying again.`
    : 'skiff: sources changed since the last bundle: running the quick build, and remaking the bundle.';
}

/** Sets the folder's time to now, so `removeOldBuilds` leaves it to the platform about to run it. */
async function markInUse(folder) {
  const now = new Date();
  await utimes(folder, now, now);
  return folder;
}

/** Whether `/proc/<pid>/stat`'s text says the process leads its session. */
export function isSessionLeader(statText, pid) {
  // After the command's name, which may hold spaces and parentheses: state, ppid, pgrp, session.
  const [, , , session] = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  return Number(session) === pid;
}

/**
 * Yields the CPU to the platform starting: the lowest priority, which esbuild's own process inherits.
 * On Linux a detached process heads a scheduling group of its own (autogroup), which gets a fair
 * share against the terminal's whatever its processes' priority, so the group's is lowered too: with
 * only the first, a start after an edit took a second longer while this built. Only a session's
 * leader does that, since the group is the session's: run from a terminal, it would be the terminal's.
 */
function yieldCpu() {
  setPriority(19);
  try {
    if (isSessionLeader(readFileSync('/proc/self/stat', 'utf8'), process.pid)) {
      writeFileSync('/proc/self/autogroup', '19');
    }
  } catch {} // no /proc or no autogroups (macOS, some kernels): the priority alone does it
}

/**
 * `npm install` runs this (the `prepare` script), so the first `npm start` finds the full build made;
 * a start that found it out of date runs it with `--background` and the folder to build in. A
 * failure is kept in last-error.log, which `npm start` mentions, and fails neither: `npm start`
 * runs the quick build meanwhile.
 */
async function main() {
  const background = process.argv[2] === '--background';
  if (background) yieldCpu();
  const dir = background ? process.argv[3] : startDir;
  const errorLog = join(dir, errorLogName);
  try {
    await ensureStartBuild(dir);
    await rm(errorLog, { force: true });
  } catch (error) {
    const detail = [error.stderr, error.stack ?? String(error)].filter(Boolean).join('\n');
    await mkdir(dir, { recursive: true });
    await writeFile(errorLog, `${new Date().toISOString()}\n${detail}\n`);
    if (!background)
      console.warn(
        `skiff: npm start's bundle did not build (${errorLog}); npm start will run its quick build.`,
      );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
