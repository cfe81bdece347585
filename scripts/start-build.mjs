// The builds that `npm start` runs (decision 0017). The full one, src/main.ts and the packages it
// imports as ES modules in .skiff/start/, is kept between starts while none of its input files has
// changed: loading it is about 0.8 s faster than Node loading ~1,500 modules from node_modules, but
// making it takes 1.5–2 s. So a start that finds it out of date runs a quick build instead (the
// packages left to Node, about 0.15 s, in .skiff/start-quick/) and, once started, remakes the full
// one in the background at the lowest CPU priority, for the next start.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const startDir = join(root, '.skiff', 'start');
const quickDir = join(root, '.skiff', 'start-quick');
const recordName = 'build.json';

/**
 * Packages that break when moved into the bundle, so Node loads them from node_modules: dynalite
 * (its LevelDB is a native addon found beside the package), pino (a bundle's dynamic `import()`
 * loses its CommonJS named export `pino`) and @fastify/swagger-ui (it reads its static files from its
 * own folder).
 */
const unbundled = ['dynalite', 'pino', '@fastify/swagger-ui'];

/**
 * The bundle holds CommonJS packages inside ES modules: they get the `require`, `__filename` and
 * `__dirname` that Node gives a CommonJS module.
 */
const commonJsGlobals = [
  "import { createRequire as __skiffRequire } from 'node:module';",
  "import { fileURLToPath as __skiffPath } from 'node:url';",
  "import { dirname as __skiffDirname } from 'node:path';",
  'const require = __skiffRequire(import.meta.url);',
  'const __filename = __skiffPath(import.meta.url);',
  'const __dirname = __skiffDirname(__filename);',
].join(' ');

/** The full build's options; `{ quick: true }` leaves every package to Node and records nothing. */
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
    metafile: !quick,
    write: false,
    logLevel: 'error',
  };
}

/**
 * What a build depends on besides its input files: esbuild's version, this file (its options) and
 * the lock files, so that any change of the installed packages rebuilds even where an installer
 * kept the files' sizes and times. A build made under another key is never reused. esbuild itself
 * is imported only to build: its import alone takes about 75 ms.
 */
export function buildKey() {
  const esbuildPackage = createRequire(import.meta.url).resolve('esbuild/package.json');
  const { version } = JSON.parse(readFileSync(esbuildPackage, 'utf8'));
  const hash = createHash('sha256')
    .update(version)
    .update(readFileSync(fileURLToPath(import.meta.url)));
  for (const lockFile of ['package-lock.json', 'node_modules/.package-lock.json']) {
    hash.update(existsSync(join(root, lockFile)) ? readFileSync(join(root, lockFile)) : `no ${lockFile}`);
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

/**
 * Whether the build recorded in `outdir` can run as it is: made under `key`, every output still
 * there, and every input file (sources and packages, about 1,900) of the same size and modification
 * time. A missing or unreadable record, or a file gone, means no.
 */
export async function isCurrent(outdir, key, base = root) {
  try {
    const record = JSON.parse(await readFile(join(outdir, recordName), 'utf8'));
    if (record.key !== key) return false;
    const present = new Set(await readdir(outdir));
    if (!record.outputs.every((name) => present.has(name))) return false;
    const now = fingerprint(Object.keys(record.inputs), base);
    return Object.entries(record.inputs).every(([path, [size, mtime]]) => {
      const [nowSize, nowMtime] = now[path];
      return nowSize === size && nowMtime === mtime;
    });
  } catch {
    return false;
  }
}

/**
 * Each file goes to a temporary name and is renamed into place, so a second `npm start` in the same
 * checkout never imports a half-written module; both write the same bytes. The record goes last, so
 * it never vouches for outputs not yet written.
 */
async function writeAtomically(outdir, files) {
  await mkdir(outdir, { recursive: true });
  for (const file of files) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    await writeFile(temporary, file.contents);
    await rename(temporary, file.path);
  }
}

/**
 * The split build's chunks are named by their content, so each change of the code leaves the last
 * ones behind: files this build did not write go once they are a minute old (a second `npm start`
 * of other code in this checkout has loaded its own within a second of writing them).
 */
async function removeStaleOutputs(outdir, written) {
  for (const name of await readdir(outdir)) {
    if (written.has(name)) continue;
    const path = join(outdir, name);
    // Another start may have renamed or removed it since the listing.
    const modified = (await stat(path).catch(() => undefined))?.mtimeMs ?? Date.now();
    if (modified < Date.now() - 60_000) await rm(path, { force: true });
  }
}

/**
 * Makes `outdir` hold a current build of the local platform: reuses the last one when `isCurrent`,
 * builds otherwise (about 1–2 s). Gives whether it built. esbuild prints what failed to build, with
 * file and line, and the promise rejects.
 */
export async function ensureStartBuild(outdir = startDir) {
  const key = buildKey();
  if (await isCurrent(outdir, key)) return { built: false };
  const started = Date.now();
  const { build } = await import('esbuild');
  const { outputFiles, metafile } = await build(buildOptions(outdir));
  const inputs = fingerprint(Object.keys(metafile.inputs));
  const outputs = outputFiles.map((file) => basename(file.path));
  // A file saved while esbuild ran may not be what it read: then no record, and the next start builds.
  const settled = Object.values(inputs).every(([, mtime]) => mtime < started);
  const record = { path: join(outdir, recordName), contents: JSON.stringify({ key, inputs, outputs }) };
  await rm(record.path, { force: true });
  await writeAtomically(outdir, settled ? [...outputFiles, record] : outputFiles);
  await removeStaleOutputs(outdir, new Set([...outputs, recordName]));
  return { built: true };
}

/** The quick build, made afresh each time it is used, as every start did before the full one. */
async function quickBuild(outdir) {
  const { build } = await import('esbuild');
  const { outputFiles } = await build(buildOptions(outdir, { quick: true }));
  await writeAtomically(outdir, outputFiles);
  await removeStaleOutputs(outdir, new Set(outputFiles.map((file) => basename(file.path))));
}

/**
 * The folder whose `main.mjs` this start runs: the full build when it is current; otherwise the
 * quick one, and `remakeAfterMs` later (once the platform has started, so as not to slow it), if
 * this process still runs, a detached process remakes the full one. Two starts at once may both
 * remake it; they write the same bytes.
 */
export async function buildForStart({ full = startDir, quick = quickDir, remakeAfterMs = 5_000 } = {}) {
  if (await isCurrent(full, buildKey())) return full;
  await quickBuild(quick);
  const remake = () =>
    spawn(process.execPath, [fileURLToPath(import.meta.url), '--background', full], {
      detached: true,
      stdio: 'ignore',
    }).unref();
  setTimeout(remake, remakeAfterMs).unref();
  return quick;
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
    const [, , , session] = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    if (Number(session) === process.pid) writeFileSync('/proc/self/autogroup', '19');
  } catch {} // no /proc or no autogroups (macOS, some kernels): the priority alone does it
}

// `npm install` runs this (the `prepare` script), so the first `npm start` finds the full build made.
// A start that found it out of date runs it with `--background` and the folder to build in.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const background = process.argv[2] === '--background';
  if (background) yieldCpu();
  await ensureStartBuild(background ? process.argv[3] : startDir);
}
