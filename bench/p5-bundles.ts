/**
 * P5: each Lambda function's bundle, built exactly as the stacks deploy it (infra/lambda-bundling.ts),
 * and its cold start in a fresh Node process, median of rounds: an HTTP API's is its load and its
 * first API Gateway event (`GET /healthz`, which builds the app); a worker's is its load (its first
 * event calls AWS). Not ratios: held to 1 MB and 150 ms (Node's own start, which Lambda's runtime pays
 * whatever the code, is not counted).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { healthCheckEvent, lambdaBuildEnvironment } from '../infra/lambda-build-environment.js';
import {
  buildLambdaBundle,
  type LambdaEntry,
  lambdaEntries,
  maxLambdaBundleBytes,
  packageBytes,
} from '../infra/lambda-bundling.js';
import { report } from './lib/report.js';
import { median } from './lib/rounds.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const coldStart = new URL('./servers/cold-start.cjs', import.meta.url).pathname;
const lambdaEnv = { PATH: process.env.PATH, ...lambdaBuildEnvironment, LOG_LEVEL: 'warn' };

/** One fresh process loading the bundle (and answering `GET /healthz` when it is an API). */
function startOnce(entry: LambdaEntry, bundle: string) {
  const args = [coldStart, bundle, ...(entry.kind === 'http' ? [JSON.stringify(healthCheckEvent)] : [])];
  const line = execFileSync(process.execPath, args, { env: lambdaEnv, encoding: 'utf8' });
  const { loadMs, firstEventMs, status } = JSON.parse(line);
  if (entry.kind === 'http' && status !== 200) {
    throw new Error(`${entry.name}: GET /healthz answered ${status} on a cold start`);
  }
  return { loadMs, firstEventMs, totalMs: loadMs + firstEventMs };
}

const folder = await mkdtemp(join(tmpdir(), 'skiff-bench-p5-'));
try {
  for (const entry of lambdaEntries.filter((e) => e.deployed)) {
    // The bundle is CommonJS: outside the repository (whose package.json says "module") as on Lambda.
    const outfile = join(folder, entry.name, 'index.js');
    const { metafile } = await buildLambdaBundle(entry, outfile);
    const bytes = (await stat(outfile)).size;
    const starts = Array.from({ length: rounds }, () => startOnce(entry, outfile));
    const top = packageBytes(metafile)
      .slice(0, 6)
      .map(([name, size]) => `${name} ${Math.round(size / 1024)} KB`)
      .join(', ');
    report(
      {
        id: 'P5',
        what: `${entry.name} bundle (bytes)`,
        value: bytes,
        reference: 0,
        unit: 'bytes',
        goal: { atMost: maxLambdaBundleBytes },
        absolute: true,
      },
      [`largest parts: ${top}`],
    );
    const http = entry.kind === 'http';
    report(
      {
        id: 'P5',
        what: `${entry.name} cold start: ${http ? 'load + first event' : 'load'} (ms)`,
        value: median(starts.map((s) => s.totalMs)),
        reference: 0,
        unit: 'ms',
        goal: { atMost: 150 },
        absolute: true,
      },
      [
        http
          ? `load ${median(starts.map((s) => s.loadMs)).toFixed(0)} ms, first event ${median(starts.map((s) => s.firstEventMs)).toFixed(0)} ms (medians of ${rounds} fresh processes)`
          : `median of ${rounds} fresh processes; its first event calls AWS, so is not timed here`,
      ],
    );
  }
} finally {
  await rm(folder, { recursive: true, force: true });
}
