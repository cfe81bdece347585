/**
 * Builds the console into web/dist: the script bundled and minified by esbuild, the styles copied,
 * both named by a hash of their content (cached for ever), and index.html pointing at them.
 * `npm install` runs it (the `prepare` script), so `npm start` has the console with no extra step.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

const web = new URL('./', import.meta.url);
const dist = new URL('dist/', web);
const assets = new URL('assets/', dist);
const hashed = (name, content) =>
  name.replace(/\.(\w+)$/, `-${createHash('sha256').update(content).digest('hex').slice(0, 12)}.$1`);

await rm(dist, { recursive: true, force: true });
await mkdir(assets, { recursive: true });
const bundle = await build({
  entryPoints: [new URL('src/main.ts', web).pathname],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  write: false,
  legalComments: 'none',
});
const script = bundle.outputFiles[0].contents;
const styles = await readFile(new URL('src/styles.css', web));
const main = hashed('main.js', script);
const css = hashed('styles.css', styles);
await writeFile(new URL(main, assets), script);
await writeFile(new URL(css, assets), styles);
const html = (await readFile(new URL('index.html', web), 'utf8'))
  .replace('%MAIN%', main)
  .replace('%STYLES%', css);
await writeFile(new URL('index.html', dist), html);
console.log(`web/dist: index.html, assets/${main}, assets/${css}`);
