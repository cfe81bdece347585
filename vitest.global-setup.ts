import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keptBundle } from './infra/lambda-bundle-cache.js';
import { lambdaEntries } from './infra/lambda-bundling.js';

/**
 * One temporary folder per test run, removed at its end. Every CDK synthesis in a test writes a
 * cloud assembly (about 100 MB of bundled Lambdas) to the OS temp folder and never removes it; runs
 * piled up until the disk was full. The workers inherit TMPDIR, so all of it lands here.
 */
export default function setup(): () => void {
  const folder = mkdtempSync(join(tmpdir(), 'skiff-vitest-'));
  process.env.TMPDIR = folder;
  // Every deployed function's bundle, built once here, one at a time: the many tests that synthesize
  // stacks then copy them, instead of building them at once on two cores.
  for (const entry of lambdaEntries) if (entry.deployed) keptBundle(entry.name);
  return () => rmSync(folder, { recursive: true, force: true });
}
