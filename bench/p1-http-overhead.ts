/**
 * P1: the platform's own overhead on a JSON route. `GET /healthz` on the platform as `npm start`
 * runs it (every service mounted, the logger at info; a probe that answers writes no request line,
 * so the request log's cost shows in P2), against bare Fastify of the same version with one route,
 * no plugins and no logger; each in its own process, loaded by autocannon from this one with 50
 * connections, after a warm-up, in short alternating rounds, on several fresh pairs of processes
 * (`roundSettings`, `acrossLaunches`); the median of all the rounds' ratios.
 * Goal: platform / bare >= 0.85.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild } from './lib/children.js';
import { placement } from './lib/cpus.js';
import { type LoadResult, load } from './lib/load.js';
import { report } from './lib/report.js';
import { acrossLaunches, type LaunchedPair, median, medianOfRatios, roundSettings } from './lib/rounds.js';

const { launches, rounds, seconds, warmUpSeconds } = roundSettings;
const cpus = placement();
cpus.rest(process.pid);

/** A fresh platform (on a fresh data folder) and a fresh bare Fastify, both on the CPU under test. */
async function launch(): Promise<LaunchedPair<LoadResult>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-bench-p1-'));
  const bare = await startChild<{ url: string }>('bare-fastify.ts');
  const platform = await startChild<{ url: string }>('platform.ts', {
    SKIFF_DATA_DIR: dataDir,
    SKIFF_LOCAL_DYNAMODB_PORT: '0',
    SKIFF_LOCAL_S3_PORT: '0',
    LOG_LEVEL: 'info',
  });
  cpus.underTest(bare.process.pid as number);
  cpus.underTest(platform.process.pid as number);
  return {
    a: (seconds) => load(`${platform.ready.url}/healthz`, { seconds }),
    b: (seconds) => load(`${bare.ready.url}/healthz`, { seconds }),
    async stop() {
      await Promise.all([bare.stop(), platform.stop()]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const perSecond = (result: LoadResult) => result.requestsPerSecond;
const results = await acrossLaunches(launch, perSecond);
const rates = { platform: results.a.map(perSecond), bare: results.b.map(perSecond) };
report(
  {
    id: 'P1',
    what: 'GET /healthz, platform vs bare Fastify (req/s, 50 connections)',
    value: median(rates.platform),
    reference: median(rates.bare),
    unit: 'req/s',
    ratio: medianOfRatios(rates.platform, rates.bare),
    goal: { atLeast: 0.85 },
  },
  [
    `rounds: platform ${rates.platform.map((r) => r.toFixed(0)).join(', ')}; bare ${rates.bare.map((r) => r.toFixed(0)).join(', ')}`,
    `each launch's ratio: ${results.launchRatios.map((r) => r.toFixed(2)).join(', ')}`,
    `p50 latency: platform ${median(results.a.map((r) => r.p50Ms))} ms, bare ${median(results.b.map((r) => r.p50Ms))} ms`,
    `${launches} launches of ${rounds} rounds of ${seconds} s, each after ${warmUpSeconds} s of warm-up; ${cpus.note}`,
  ],
);
