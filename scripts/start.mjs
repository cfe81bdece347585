// `npm start`: builds the local platform (src/main.ts) into ES modules with esbuild, then runs it
// in this process. Running the TypeScript through tsx instead put tsx's loader hooks on each of the
// ~1,500 modules it imports, node_modules included: about a second of a 3-s start (issue 14, P6).
// Packages stay external (loaded by Node from node_modules as usual); a source map maps stack traces
// back to src/. `npm run serve` and the tests still run the TypeScript through tsx.
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import module from 'node:module';
import { basename } from 'node:path';
import { enableCompileCache } from './compile-cache.mjs';

// First, so that esbuild's own modules are kept too (hence its import below, not at the top).
enableCompileCache(module);
const { build } = await import('esbuild');

const outdir = new URL('../.skiff/start/', import.meta.url);

/**
 * Each file goes to a temporary name and is renamed into place, so a second `npm start` in the same
 * checkout never imports a half-written module; both write the same bytes.
 */
async function writeAtomically(files) {
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
async function removeStaleOutputs(files) {
  const written = new Set(files.map((file) => basename(file.path)));
  for (const name of await readdir(outdir)) {
    if (written.has(name)) continue;
    const path = new URL(name, outdir);
    // Another start may have renamed or removed it since the listing.
    const modified = (await stat(path).catch(() => undefined))?.mtimeMs ?? Date.now();
    if (modified < Date.now() - 60_000) await rm(path, { force: true });
  }
}

const { outputFiles } = await build({
  // The engine's process (dynalite-process.mjs) sits beside main.mjs and the chunks, where
  // src/local/dynamo-engine.ts looks for it (`new URL('./dynalite-process.mjs', import.meta.url)`).
  entryPoints: { main: 'src/main.ts', 'dynalite-process': 'src/local/dynalite-process.mjs' },
  absWorkingDir: new URL('..', import.meta.url).pathname,
  outdir: outdir.pathname,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  packages: 'external',
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // src/main.ts imports the platform dynamically, after it has forked the embedded DynamoDB: split,
  // those modules (and the packages they import) load only then, while the engine starts.
  splitting: true,
  sourcemap: true,
  write: false,
  logLevel: 'error',
}).catch(() => process.exit(1)); // esbuild has printed what failed to build, with file and line
await writeAtomically(outputFiles);
await removeStaleOutputs(outputFiles);
process.setSourceMapsEnabled(true);
await import(new URL('main.mjs', outdir).href);
