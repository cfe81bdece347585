/**
 * P2: a DynamoDB-backed route against the raw SDK call it makes. `GET /hello/{username}` on the
 * platform (greetings mounted, logs at info), against loops of the raw AWS SDK v3 GetItem with the
 * same client options, at the same concurrency (50), on the same embedded engine (dynalite, in its
 * own process, as npm start runs it); after a warm-up, short alternating rounds, on several fresh
 * pairs of processes (`roundSettings`, `acrossLaunches`); the median of all the rounds' ratios.
 * Goal: route / raw >= 0.8.
 *
 * BENCH_P2_BARE=1 then measures bare Fastify with a route making the same call against the same raw
 * loops, in the same way: what putting the call behind any Fastify server costs on this machine, so
 * what the goal leaves the platform (docs/performance.md, P2).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedEngines } from '../src/local/engines.js';
import { ask, type Child, startChild } from './lib/children.js';
import { placement } from './lib/cpus.js';
import { greetingsGetItem } from './lib/greetings-get-item.js';
import { load } from './lib/load.js';
import { report } from './lib/report.js';
import { acrossLaunches, type LaunchedPair, median, medianOfRatios, roundSettings } from './lib/rounds.js';

const { launches, rounds, seconds, warmUpSeconds } = roundSettings;
const concurrency = 50;

const dataDir = await mkdtemp(join(tmpdir(), 'skiff-bench-p2-'));
const engines = await startEmbeddedEngines({ host: '127.0.0.1', dataDir, dynamodbPort: 0, s3Port: 0 });
const endpoints = {
  AWS_ENDPOINT_URL_DYNAMODB: engines.endpoints.dynamodb,
  AWS_ENDPOINT_URL_S3: engines.endpoints.s3,
};
const cpus = placement();
for (const pid of [process.pid, ...engines.childPids]) cpus.rest(pid);
const run = { input: greetingsGetItem('ada'), concurrency };
const bareBreakdown = process.env.BENCH_P2_BARE === '1';

/** A side: `GET /hello/ada` served at `url`, under P2's load. */
const served = (url: string) => async (seconds: number) =>
  (await load(`${url}/hello/ada`, { connections: concurrency, seconds })).requestsPerSecond;

/** The other side: the raw loops. They run `seconds`, each call then in flight with the SDK's own timeouts on top. */
const loops = (raw: Child<unknown>) => async (seconds: number) =>
  (await ask<{ perSecond: number }>(raw, { ...run, seconds }, (seconds + 60) * 1000)).perSecond;

/** Saves ada's date of birth through the platform's own route: what every side then reads. */
async function saveAda(url: string): Promise<void> {
  const saved = await fetch(`${url}/hello/ada`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ dateOfBirth: '1990-07-14' }),
  });
  if (saved.status !== 204) throw new Error(`PUT /hello/ada answered ${saved.status}`);
}

/** A fresh HTTP server (`server`, in bench/servers/) and a fresh raw loop, both on the CPU under test. */
function launchWith(server: 'platform.ts' | 'bare-get-item-route.ts'): () => Promise<LaunchedPair<number>> {
  return async () => {
    const http = await startChild<{ url: string }>(server, {
      ...endpoints,
      SERVICES: 'greetings',
      SKIFF_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    });
    const raw = await startChild<{ ready: true }>('get-item-loop.ts', endpoints).catch(
      async (error: unknown) => {
        await http.stop();
        throw error;
      },
    );
    cpus.underTest(http.process.pid as number);
    cpus.underTest(raw.process.pid as number);
    const stop = () => Promise.all([http.stop(), raw.stop()]).then(() => undefined);
    try {
      // The platform provisions the table; the bare route answers 404 until the item is there.
      if (server === 'platform.ts') await saveAda(http.ready.url);
    } catch (error) {
      await stop();
      throw error;
    }
    return { a: served(http.ready.url), b: loops(raw), stop };
  };
}

/** The rounds' lines printed under a figure. */
const roundLines = (results: { a: number[]; b: number[]; launchRatios: number[] }, a: string) => [
  `rounds: ${a} ${results.a.map((v) => v.toFixed(0)).join(', ')}; raw ${results.b.map((v) => v.toFixed(0)).join(', ')}`,
  `each launch's ratio: ${results.launchRatios.map((r) => r.toFixed(2)).join(', ')}`,
];

try {
  const results = await acrossLaunches(launchWith('platform.ts'), (rate) => rate);
  const ratio = medianOfRatios(results.a, results.b);
  const details = [
    ...roundLines(results, 'route'),
    `${launches} launches of ${rounds} rounds of ${seconds} s, each after ${warmUpSeconds} s of warm-up; ${cpus.note}`,
  ];
  if (bareBreakdown) {
    const bare = await acrossLaunches(launchWith('bare-get-item-route.ts'), (rate) => rate);
    const bareRatio = medianOfRatios(bare.a, bare.b);
    details.push(
      `bare Fastify making the same call vs the raw loops: ${median(bare.a).toFixed(0)} vs ${median(bare.b).toFixed(0)} /s = ${bareRatio.toFixed(2)}x; so the platform ~ ${(ratio / bareRatio).toFixed(2)}x of bare Fastify`,
      ...roundLines(bare, 'bare'),
    );
  }
  report(
    {
      id: 'P2',
      what: `GET /hello/{username} vs raw SDK GetItem loops (per second, concurrency ${concurrency})`,
      value: median(results.a),
      reference: median(results.b),
      unit: '/s',
      ratio,
      goal: { atLeast: 0.8 },
    },
    details,
  );
} finally {
  await engines.close();
  await rm(dataDir, { recursive: true, force: true });
}
