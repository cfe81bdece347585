// `npm start`: builds the local platform (src/main.ts) with esbuild, then runs it in this process.
// The build of it and its packages is kept between starts (`npm install` makes it first); after an
// edit, a quick build runs while that one is remade (scripts/start-build.mjs; issue 14, P6; decision
// 0017). Source maps map stack traces back to src/. `npm run serve` and the tests run TypeScript
// through tsx.
import { existsSync } from 'node:fs';
import module from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { enableCompileCache } from './compile-cache.mjs';

// First, so that esbuild's own modules are kept too (hence the build's import below, not at the top).
enableCompileCache(module);
const { buildForStart, errorLogName, startDir } = await import('./start-build.mjs');

const { folder, full } = await buildForStart().catch((error) => {
  if (!error.errors) console.error(error); // esbuild has printed its errors, with file and line
  process.exit(1);
});
if (!full) {
  const errorLog = join(startDir, errorLogName);
  console.warn(
    existsSync(errorLog)
      ? `skiff: the last bundle of the packages failed (${errorLog}): running the quick build, and trying again.`
      : 'skiff: sources changed since the last bundle: running the quick build, and remaking the bundle.',
  );
}
process.setSourceMapsEnabled(true);
await import(pathToFileURL(join(folder, 'main.mjs')).href);
