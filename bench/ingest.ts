/**
 * P3, records ingestion: `npm run bench -- p3` (or `npm run bench -- p3 --rows 20000`).
 *
 * On the embedded engines exactly as `npm start` runs them (DynamoDB in its own process), in one
 * run, in rounds that alternate which side goes first, printing medians:
 *   A. the whole pipeline on a generated CSV in S3 (hash, duplicate claim, streaming parse, checks,
 *      BatchWriteItem), from the object-created event to the final status;
 *   B. the raw BatchWriteItem ceiling: the very items the pipeline stored in the latest round (read
 *      back from the table, index attributes included), written into a fresh table with the same
 *      keys and indexes, 25 a call, at the concurrency the engine does best (probed first, in both
 *      orders: `probeBothWays`);
 *   C. naive row-by-row PutItem of the same items, on a sample;
 * then pipeline / ceiling (the median of the rounds' ratios) and pipeline / naive. With `--memory`,
 * the peak RSS growth of the engines' and the service's processes while ingesting 100k rows, 1M
 * rows and a 30 MB file of bad rows.
 */
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline as streamPipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { CreateTableCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { pino } from 'pino';
import { localCredentials, startEmbeddedEngines } from '../src/local/engines.js';
import { createTableInput, provisionResources } from '../src/local/provision.js';
import { batchPut } from '../src/platform/aws/batch-write.js';
import { clientOptionsFrom, createAwsClients } from '../src/platform/aws/clients.js';
import { queryPage } from '../src/platform/aws/paged-query.js';
import { loadConfig } from '../src/platform/config.js';
import { resolveResources } from '../src/platform/resources.js';
import { s3FileStore } from '../src/services/records/file-store.js';
import { ingester } from '../src/services/records/ingester.js';
import { dynamoRecordStore } from '../src/services/records/record-store.js';
import { recordsResources } from '../src/services/records/resources.js';
import { dynamoTenantLease } from '../src/services/records/tenant-lease.js';
import { dynamoTenantStore } from '../src/services/records/tenant-store.js';
import { dynamoUploadStore } from '../src/services/records/upload-store.js';
import { probeBothWays } from './lib/probe.js';
import { alternate, median, medianOfRatios, roundRatios } from './lib/rounds.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    sample: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '3' },
    memory: { type: 'boolean', default: false },
  },
});
const rows = Number(values.rows);
const sample = Math.min(Number(values.sample), rows);
const rounds = Number(values.rounds);

/** A CSV of `count` distinct visits (fixed contents: the same file for the same arguments), in pieces. */
function* csvOf(count: number, round: number): Generator<string> {
  yield 'medical_record_number,first_name,last_name,date_time,doctors_notes,ward\n';
  for (let i = 0; i < count; i += 1) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    const minute = String(i % 60).padStart(2, '0');
    yield `MRN-${i},First${i % 500},Last${i % 2000},2026-03-${day} 10:${minute},"Note ${round}/${i}, ""quoted"" text",W${i % 12}\n`;
  }
}

/** About `bytes` of rows that each fail (no date), the worst case for the rejects report. */
function* badCsvOf(bytes: number): Generator<string> {
  const line = 'MRN-x,First,Last,not a date,n\n';
  yield 'medical_record_number,first_name,last_name,date_time,doctors_notes\n';
  for (let i = 0; i < Math.ceil(bytes / line.length); i += 1) yield line;
}

/**
 * Resident memory of a process, in bytes (Linux /proc): anonymous pages only for the engine, whose
 * LevelDB maps its table files into memory (file pages the kernel drops at will, not the engine's
 * own memory); all of it for this process.
 */
const residentOf = (pid: number, field: 'VmRSS' | 'RssAnon') =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) *
  1024;

/** Resident memory of this process and the engine processes (`mapped`: with their mapped files). */
function rssOf(pids: number[], mapped = false): number {
  const field = mapped ? 'VmRSS' : 'RssAnon';
  return process.memoryUsage().rss + pids.reduce((sum, pid) => sum + residentOf(pid, field), 0);
}

const perSecond = (count: number, ms: number) => Math.round((count / ms) * 1000);
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

async function main() {
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-bench-'));
  const engines = await startEmbeddedEngines({ host: '127.0.0.1', dynamodbPort: 0, s3Port: 0, dataDir });
  const aws = createAwsClients(
    clientOptionsFrom(loadConfig({}), engines.endpoints, { credentials: localCredentials }),
  );
  const resources = resolveResources('bench', 'records', recordsResources);
  const log = pino({ level: 'silent' });
  await provisionResources(aws, [resources], log);
  const tenants = dynamoTenantStore(aws.documents, resources.tables.tenants.name);
  const uploads = dynamoUploadStore(aws.documents, resources.tables.uploads.name);
  const pipeline = ingester({
    uploads,
    records: dynamoRecordStore(aws.documents, resources.tables.records.name),
    tenants,
    lease: dynamoTenantLease(aws.documents, resources.tables.uploads.name),
    files: s3FileStore(aws, resources.buckets.files.name),
    clock: () => new Date(),
    log,
    maxCsvBytes: 1024 * 1024 * 1024,
  });
  let tables = 0;
  const freshTable = async () => {
    tables += 1;
    const name = `skiff-bench-records-copy-${tables}`;
    await aws.dynamodb.send(new CreateTableCommand(createTableInput(name, recordsResources.tables.records)));
    // dynalite answers CreateTable before the table is ACTIVE; writing earlier is "not found".
    await waitUntilTableExists(
      { client: aws.dynamodb, maxWaitTime: 30, minDelay: 0.05, maxDelay: 0.2 },
      { TableName: name },
    );
    return name;
  };

  /**
   * Ingests one file for a new tenant; its time and the peak RSS growth over the moment it starts.
   * The file is written to disk and streamed to S3, so the benchmark's own data is not in memory.
   */
  async function ingest(tenant: string, lines: Iterable<string>) {
    await tenants.create({ id: tenant, timeZone: 'Europe/London' });
    const path = join(dataDir, `${tenant}.csv`);
    await streamPipeline(Readable.from(lines), createWriteStream(path));
    const key = `incoming/${tenant}/daily.csv`;
    const Body = createReadStream(path);
    const ContentLength = (await stat(path)).size;
    await aws.s3.send(
      new PutObjectCommand({ Bucket: resources.buckets.files.name, Key: key, Body, ContentLength }),
    );
    await rm(path);
    const idle = rssOf(engines.childPids);
    const idleService = process.memoryUsage().rss;
    const idleMapped = rssOf(engines.childPids, true);
    let [peak, peakService, peakMapped] = [idle, idleService, idleMapped];
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssOf(engines.childPids));
      peakService = Math.max(peakService, process.memoryUsage().rss);
      peakMapped = Math.max(peakMapped, rssOf(engines.childPids, true));
    }, 25);
    const started = performance.now();
    await pipeline.objectCreated({ key });
    const ms = performance.now() - started;
    clearInterval(sampler);
    const [upload] = (await uploads.list(tenant, 1)).uploads;
    return {
      ms,
      growth: peak - idle,
      service: peakService - idleService,
      mapped: peakMapped - idleMapped,
      status: upload?.status,
      rows: upload?.rows,
    };
  }

  /** What the pipeline stored for a tenant, exactly as stored. */
  async function storedItems(tenant: string) {
    const items: Record<string, unknown>[] = [];
    let after: Record<string, unknown> | undefined;
    do {
      const page = await queryPage(aws.documents, {
        TableName: resources.tables.records.name,
        IndexName: 'byTenant',
        KeyConditionExpression: 'tenantKey = :t',
        ExpressionAttributeValues: { ':t': `T#${tenant}` },
        ExclusiveStartKey: after,
      });
      items.push(...(page.Items ?? []));
      after = page.LastEvaluatedKey;
    } while (after);
    return items;
  }

  async function ceiling(items: Record<string, unknown>[], concurrency: number) {
    const table = await freshTable();
    const started = performance.now();
    await batchPut(aws.documents, table, items, { concurrency });
    return perSecond(items.length, performance.now() - started);
  }

  async function naive(items: Record<string, unknown>[]) {
    const table = await freshTable();
    const started = performance.now();
    for (const Item of items) await aws.documents.send(new PutCommand({ TableName: table, Item }));
    return perSecond(items.length, performance.now() - started);
  }

  async function memory() {
    // Warm up first (code paths, the engine's caches), so the figures show what a file adds.
    await ingest('warm-up', csvOf(20_000, 0));
    const idle = rssOf(engines.childPids);
    const lines = [
      `records ingestion memory: peak RSS growth while ingesting, over the warmed-up processes (${mib(idle)} MiB: this one and the embedded DynamoDB's)`,
    ];
    const files = [
      ['100k rows', () => csvOf(100_000, 0)],
      ['1M rows', () => csvOf(1_000_000, 0)],
      ['30 MB of bad rows', () => badCsvOf(30 * 1024 * 1024)],
    ] as const;
    for (const [label, make] of files) {
      const result = await ingest(`mem-${lines.length}`, make());
      const seconds = (result.ms / 1000).toFixed(1);
      lines.push(
        `  ${label.padEnd(18)} +${mib(result.growth)} MiB (the service's process +${mib(result.service)}; with LevelDB's mapped files +${mib(result.mapped)})  (${result.status}, ${JSON.stringify(result.rows)}, ${seconds} s)`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }

  async function speed() {
    const probeRows = await ingest('probe', csvOf(Math.min(rows, 10_000), 0));
    if (probeRows.status !== 'completed') throw new Error(`the probe file ended ${probeRows.status}`);
    const probe = await storedItems('probe');
    const { best, rates: probed } = await probeBothWays([4, 8, 16, 32], (c) => ceiling(probe, c));

    // Alternating rounds, as the other figures run: the pipeline goes first in the first, third, …
    // round, the ceiling in the others, so what one side leaves the engine to do (compactions) falls
    // on both alike. A ceiling that goes first writes the latest round's items: same shape and size.
    let latest: Record<string, unknown>[] = [];
    const growth: number[] = [];
    const naiveRates: number[] = [];
    const runs = await alternate(
      rounds,
      async (round) => {
        const run = await ingest(`round-${round}`, csvOf(rows, round + 1));
        growth.push(run.growth);
        latest = await storedItems(`round-${round}`);
        if (latest.length !== rows) throw new Error(`the pipeline stored ${latest.length} of ${rows} rows`);
        return perSecond(rows, run.ms);
      },
      () => ceiling(latest, best),
    );
    // After the alternating rounds, so that its writes fall on neither side of them.
    for (let round = 0; round < rounds; round += 1) naiveRates.push(await naive(latest.slice(0, sample)));
    const [p, c, n] = [median(runs.a), median(runs.b), median(naiveRates)];
    const ratio = medianOfRatios(runs.a, runs.b);
    const probes = [...probed].map(([k, [there, back]]) => `${k}: ${there} and ${back}`).join(', ');
    process.stdout.write(
      [
        `records ingestion benchmark: ${rows} rows, ${rounds} rounds (medians), embedded engines as npm start runs them`,
        `  pipeline (S3 event → hash → parse → checks → BatchWriteItem → status):  ${p} rows/s`,
        `  raw BatchWriteItem ceiling, the same stored items, concurrency ${best} (probed there and back ${probes}):  ${c} rows/s`,
        `  naive PutItem row by row, the same items (${sample}-row sample):  ${n} rows/s`,
        `  pipeline / ceiling = ${ratio.toFixed(2)}, the median of the rounds' ratios ${roundRatios(
          runs.a,
          runs.b,
        )
          .map((r) => r.toFixed(2))
          .join(', ')}   (goal ≥ 0.80)`,
        `  pipeline / naive   = ${(p / n).toFixed(1)}x  (goal ≥ 10x; the engine's own ceiling / naive = ${(c / n).toFixed(1)}x)`,
        `  peak RSS growth while ingesting: ${growth.map((g) => `+${mib(g)} MiB`).join(', ')} (npm run bench -- --memory: 100k, 1M and 30 MB of bad rows)`,
        '',
      ].join('\n'),
    );
    process.stdout.write(
      `FIGURE ${JSON.stringify({
        id: 'P3',
        what: `records ingestion, pipeline vs raw BatchWriteItem ceiling (rows/s, ${rows} rows)`,
        value: p,
        reference: c,
        unit: 'rows/s',
        goal: { atLeast: 0.8 },
        ratio,
      })}\n`,
    );
  }

  try {
    await (values.memory ? memory() : speed());
  } finally {
    aws.destroy();
    await engines.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
