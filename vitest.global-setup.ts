import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One temporary folder per test run, removed at its end. Every CDK synthesis in a test writes a
 * cloud assembly (about 100 MB of bundled Lambdas) to the OS temp folder and never removes it; runs
 * piled up until the disk was full. The workers inherit TMPDIR, so all of it lands here.
 */
export default function setup(): () => void {
  const folder = mkdtempSync(join(tmpdir(), 'skiff-vitest-'));
  process.env.TMPDIR = folder;
  return () => rmSync(folder, { recursive: true, force: true });
}
