/**
 * P2: a DynamoDB-backed route against the raw SDK call it makes. `GET /hello/{username}` on the
 * platform (greetings mounted, logs at info), against loops of the raw AWS SDK v3 GetItem with the
 * same client options, at the same concurrency (50), on the same embedded engine (dynalite, in its
 * own process, as npm start runs it); after a warm-up, short alternating rounds, on several fresh
 * pairs of processes (`roundSettings`, `acrossLaunches`); the median of all the rounds' ratios.
 * Goal: route / raw >= 0.8.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedEngines } from '../src/local/engines.js';
import { physicalName } from '../src/platform/resources.js';
import { ask, startChild } from './lib/children.js';
import { placement } from './lib/cpus.js';
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
// What the greetings store sends for GET /hello/ada (src/services/greetings/store.ts).
const run = {
  input: {
    TableName: physicalName('local', 'greetings', 'birthdays'),
    Key: { username: { S: 'ada' } },
    ConsistentRead: true,
    ProjectionExpression: 'dateOfBirth',
  },
  concurrency,
};

/** A fresh platform (greetings only) and a fresh raw loop, both on the CPU under test. */
async function launch(): Promise<LaunchedPair<number>> {
  const platform = await startChild<{ url: string }>('platform.ts', {
    ...endpoints,
    SERVICES: 'greetings',
    SKIFF_DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
  });
  const raw = await startChild<{ ready: true }>('get-item-loop.ts', endpoints);
  cpus.underTest(platform.process.pid as number);
  cpus.underTest(raw.process.pid as number);
  const stop = () => Promise.all([platform.stop(), raw.stop()]).then(() => undefined);
  const saved = await fetch(`${platform.ready.url}/hello/ada`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ dateOfBirth: '1990-07-14' }),
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  if (saved.status !== 204) {
    await stop();
    throw new Error(`PUT /hello/ada answered ${saved.status}`);
  }
  return {
    a: async (seconds) =>
      (await load(`${platform.ready.url}/hello/ada`, { connections: concurrency, seconds }))
        .requestsPerSecond,
    // The loops run `seconds`, and each call then in flight has the SDK's own timeouts on top.
    b: async (seconds) =>
      (await ask<{ perSecond: number }>(raw, { ...run, seconds }, (seconds + 60) * 1000)).perSecond,
    stop,
  };
}

try {
  const results = await acrossLaunches(launch, (rate) => rate);
  report(
    {
      id: 'P2',
      what: `GET /hello/{username} vs raw SDK GetItem loops (per second, concurrency ${concurrency})`,
      value: median(results.a),
      reference: median(results.b),
      unit: '/s',
      ratio: medianOfRatios(results.a, results.b),
      goal: { atLeast: 0.8 },
    },
    [
      `rounds: route ${results.a.map((v) => v.toFixed(0)).join(', ')}; raw ${results.b.map((v) => v.toFixed(0)).join(', ')}`,
      `each launch's ratio: ${results.launchRatios.map((r) => r.toFixed(2)).join(', ')}`,
      `${launches} launches of ${rounds} rounds of ${seconds} s, each after ${warmUpSeconds} s of warm-up; ${cpus.note}`,
    ],
  );
} finally {
  await engines.close();
  await rm(dataDir, { recursive: true, force: true });
}
