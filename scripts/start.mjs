// `npm start`: builds the local platform (src/main.ts) with esbuild, then runs it in this process.
// The build of it and its packages is kept between starts (`npm install` makes it first); after an
// edit, a quick build runs while that one is remade, and a bundle that fails to start where the quick
// build starts is set aside (scripts/start-build.mjs; issue 14, P6; decision 0017). Source maps map
// stack traces back to src/. `npm run serve` and the tests run TypeScript through tsx.
import module from 'node:module';
import { enableCompileCache } from './compile-cache.mjs';

// First, so that esbuild's own modules are kept too (hence the build's import below, not at the top).
enableCompileCache(module);
const { runStart } = await import('./start-build.mjs');

process.setSourceMapsEnabled(true);
await runStart().catch((error) => {
  if (!error.errors) console.error(error); // esbuild has printed its errors, with file and line
  process.exit(1);
});
