/**
 * Lambda bundles kept between syntheses, by a digest of everything they are built from: the sources,
 * the build's own code and the locked dependencies. A build takes a few seconds (it runs the entry
 * once to record its schemas); every synthesis of an unchanged tree, in tests or `npm run synth`,
 * copies the kept bundle instead.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const cacheRoot = join(repositoryRoot, 'node_modules', '.cache', 'skiff-lambda-bundles');
/** The build's own files, besides `src/`. */
const buildFiles = [
  'package-lock.json',
  'infra/lambda-bundling.ts',
  'infra/precompiled-schemas.ts',
  'infra/record-schemas.ts',
  'infra/lambda-build-environment.ts',
  'infra/build-lambda.ts',
];

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(repositoryRoot, join(entry.parentPath, entry.name)))
    .sort();
}

/** What every bundle is built from, digested: any change to it makes every bundle anew. */
export function buildInputsDigest(): string {
  const hash = createHash('sha256');
  for (const file of [...buildFiles, ...filesUnder(join(repositoryRoot, 'src'))]) {
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(repositoryRoot, file)))
      .update('\0');
  }
  return hash.digest('hex').slice(0, 32);
}

/**
 * The folder holding the function's bundle (`index.js`), built now unless kept. Synchronous, for the
 * CDK's local bundling. A parallel build of the same bundle is harmless: the first to finish is kept.
 */
export function keptBundle(name: string): string {
  const digest = buildInputsDigest();
  const folder = join(cacheRoot, digest, name);
  if (existsSync(join(folder, 'index.js'))) return folder;
  for (const old of existsSync(cacheRoot) ? readdirSync(cacheRoot) : []) {
    if (old !== digest) rmSync(join(cacheRoot, old), { recursive: true, force: true });
  }
  const building = `${folder}.${process.pid}.building`;
  mkdirSync(building, { recursive: true });
  try {
    execFileSync(process.execPath, ['--import', 'tsx', 'infra/build-lambda.ts', name, building], {
      cwd: repositoryRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } catch (error) {
    // A failed build leaves nothing behind that a later synthesis could take for a bundle.
    rmSync(building, { recursive: true, force: true });
    throw error;
  }
  try {
    renameSync(building, folder);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    if (!existsSync(join(folder, 'index.js'))) throw error;
  }
  return folder;
}
