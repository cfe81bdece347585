/**
 * P1: the platform's own overhead on a JSON route. `GET /healthz` on the platform as `npm start`
 * runs it (every service mounted, the logger at info; a probe that answers writes no request line,
 * so the request log's cost shows in P2), against bare Fastify of the same version with one route,
 * no plugins and no logger; each in its own process, loaded by autocannon from this one with 50
 * connections, after a warm-up, in short alternating rounds (`roundSettings`); the median of the
 * rounds' ratios. Goal: platform / bare >= 0.85.
 */
import { startChild } from './lib/children.js';
import { placement } from './lib/cpus.js';
import { load } from './lib/load.js';
import { report } from './lib/report.js';
import { alternate, median, medianOfRatios, roundSettings, warmUp } from './lib/rounds.js';

const { rounds, seconds, warmUpSeconds } = roundSettings;
const dataDir = (await import('node:fs/promises')).mkdtemp(
  `${(await import('node:os')).tmpdir()}/skiff-bench-p1-`,
);

const bare = await startChild<{ url: string }>('bare-fastify.ts');
const platform = await startChild<{ url: string }>('platform.ts', {
  SKIFF_DATA_DIR: await dataDir,
  SKIFF_LOCAL_DYNAMODB_PORT: '0',
  SKIFF_LOCAL_S3_PORT: '0',
  LOG_LEVEL: 'info',
});
const cpus = placement();
cpus.underTest(bare.process.pid as number);
cpus.underTest(platform.process.pid as number);
cpus.rest(process.pid);
try {
  const platformSide = (seconds: number) => load(`${platform.ready.url}/healthz`, { seconds });
  const bareSide = (seconds: number) => load(`${bare.ready.url}/healthz`, { seconds });
  await warmUp(warmUpSeconds, platformSide, bareSide);
  const results = await alternate(
    rounds,
    () => platformSide(seconds),
    () => bareSide(seconds),
  );
  const value = median(results.a.map((r) => r.requestsPerSecond));
  const reference = median(results.b.map((r) => r.requestsPerSecond));
  report(
    {
      id: 'P1',
      what: 'GET /healthz, platform vs bare Fastify (req/s, 50 connections)',
      value,
      reference,
      unit: 'req/s',
      ratio: medianOfRatios(
        results.a.map((r) => r.requestsPerSecond),
        results.b.map((r) => r.requestsPerSecond),
      ),
      goal: { atLeast: 0.85 },
    },
    [
      `rounds: platform ${results.a.map((r) => r.requestsPerSecond.toFixed(0)).join(', ')}; bare ${results.b.map((r) => r.requestsPerSecond.toFixed(0)).join(', ')}`,
      `p50 latency: platform ${median(results.a.map((r) => r.p50Ms))} ms, bare ${median(results.b.map((r) => r.p50Ms))} ms`,
      `${rounds} rounds of ${seconds} s after ${warmUpSeconds} s of warm-up; ${cpus.note}`,
    ],
  );
} finally {
  await Promise.all([bare.stop(), platform.stop()]);
  await (await import('node:fs/promises')).rm(await dataDir, { recursive: true, force: true });
}
