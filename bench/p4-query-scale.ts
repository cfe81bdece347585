/**
 * P4: a records query does not slow down as the table grows. `GET /records?last_name=…` (20 matching
 * visits) on a platform whose engine holds 200,000 records, against the same query on one holding
 * 10,000: two engines and two platforms, seeded alike but for the size, queried in alternating
 * rounds by autocannon (10 connections) after a warm-up (`roundSettings`); the median of the rounds'
 * ratios of p50 latency. Goal: large / small <= 1.5.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localCredentials, startEmbeddedEngines } from '../src/local/engines.js';
import { clientOptionsFrom, createAwsClients } from '../src/platform/aws/clients.js';
import { loadConfig } from '../src/platform/config.js';
import { physicalName } from '../src/platform/resources.js';
import type { PatientRecord } from '../src/services/records/csv-rules.js';
import { dynamoRecordStore } from '../src/services/records/record-store.js';
import { startChild } from './lib/children.js';
import { load } from './lib/load.js';
import { report } from './lib/report.js';
import { alternate, median, medianOfRatios, roundSettings, warmUp } from './lib/rounds.js';

const { rounds, seconds, warmUpSeconds } = roundSettings;
const sizes = { small: 10_000, large: Number(process.env.BENCH_P4_ROWS ?? 200_000) };
const matching = 20;
const tenant = 'bench';
const key = 'bench-key-123';

/** `count` visits: `matching` of them by "Target", the rest spread over 2,000 other last names. */
function recordsOf(from: number, to: number): PatientRecord[] {
  return Array.from({ length: to - from }, (_, offset) => {
    const i = from + offset;
    const minute = String(i % 60).padStart(2, '0');
    return {
      medical_record_number: `MRN-${i}`,
      first_name: `First${i % 500}`,
      last_name: i < matching ? 'Target' : `Last${i % 2000}`,
      date_time: `2026-03-${String(1 + (i % 28)).padStart(2, '0')} 10:${minute}`,
      date_time_utc: `2026-03-${String(1 + (i % 28)).padStart(2, '0')}T10:${minute}:00.000Z`,
      doctors_notes: `Note ${i}`,
      extra: {},
    };
  });
}

/** An engine and a platform on it (records only), holding `count` visits of one tenant. */
async function stack(count: number) {
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-bench-p4-'));
  const engines = await startEmbeddedEngines({ host: '127.0.0.1', dataDir, dynamodbPort: 0, s3Port: 0 });
  const platform = await startChild<{ url: string }>('platform.ts', {
    AWS_ENDPOINT_URL_DYNAMODB: engines.endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: engines.endpoints.s3,
    SERVICES: 'records',
    SKIFF_DATA_DIR: dataDir,
    SKIFF_LOCAL_TENANTS: `${tenant}:UTC:${key}`,
    LOG_LEVEL: 'info',
  });
  const aws = createAwsClients(
    clientOptionsFrom(
      loadConfig(),
      { dynamodb: engines.endpoints.dynamodb },
      { credentials: localCredentials },
    ),
  );
  const store = dynamoRecordStore(aws.documents, physicalName('local', 'records', 'records'));
  const source = { fileName: 'bench.csv', uploadId: 'bench', ingestedAt: new Date(0).toISOString() };
  for (let from = 0; from < count; from += 5000) {
    await store.write(tenant, recordsOf(from, Math.min(from + 5000, count)), source);
  }
  aws.destroy();
  return {
    url: `${platform.ready.url}/records?last_name=Target&limit=${matching}`,
    async stop() {
      await platform.stop();
      await engines.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Like for like: both sides answer the very same visits, every one of the matching ones. */
async function matchingNumbers(url: string): Promise<string> {
  const response = await fetch(url, { headers: { 'x-api-key': key }, signal: AbortSignal.timeout(30_000) });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  const { items } = (await response.json()) as { items: { medical_record_number: string }[] };
  const numbers = items.map((item) => item.medical_record_number).sort();
  if (numbers.length !== matching) throw new Error(`${url} answered ${numbers.length} of ${matching} visits`);
  return numbers.join(',');
}

const small = await stack(sizes.small);
const large = await stack(sizes.large);
try {
  if ((await matchingNumbers(large.url)) !== (await matchingNumbers(small.url))) {
    throw new Error('the two tables answered different visits');
  }
  const options = { connections: 10, headers: { 'x-api-key': key } };
  const largeSide = (seconds: number) => load(large.url, { ...options, seconds });
  const smallSide = (seconds: number) => load(small.url, { ...options, seconds });
  await warmUp(warmUpSeconds, largeSide, smallSide);
  const results = await alternate(
    rounds,
    () => largeSide(seconds),
    () => smallSide(seconds),
  );
  report(
    {
      id: 'P4',
      what: `GET /records?last_name=… p50 latency, ${sizes.large} vs ${sizes.small} records stored`,
      ratio: medianOfRatios(
        results.a.map((r) => r.p50Ms),
        results.b.map((r) => r.p50Ms),
      ),
      value: median(results.a.map((r) => r.p50Ms)),
      reference: median(results.b.map((r) => r.p50Ms)),
      unit: 'ms',
      goal: { atMost: 1.5 },
    },
    [
      `req/s: ${sizes.large} stored ${median(results.a.map((r) => r.requestsPerSecond)).toFixed(0)}, ${sizes.small} stored ${median(results.b.map((r) => r.requestsPerSecond)).toFixed(0)}`,
    ],
  );
} finally {
  await Promise.all([small.stop(), large.stop()]);
}
