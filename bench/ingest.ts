/**
 * Records ingestion benchmark: `npm run bench` (or `npm run bench -- --rows 20000`).
 *
 * Against the same embedded DynamoDB, in one run, it prints:
 *   1. the whole pipeline on a generated CSV in S3 (hash, duplicate claim, streaming parse, checks,
 *      newer-file check, BatchWriteItem): rows/s and peak RSS;
 *   2. the raw BatchWriteItem ceiling: the same number of ready-made items, 25 a call, same concurrency;
 *   3. row-by-row PutItem, on a sample, as the naive implementation;
 * and the ratios between them. Figures depend on the machine; the ratios are what to compare.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { pino } from 'pino';
import { localCredentials, startEmbeddedEngines } from '../src/local/engines.js';
import { provisionResources } from '../src/local/provision.js';
import { batchPut } from '../src/platform/aws/batch-write.js';
import { createAwsClients } from '../src/platform/aws/clients.js';
import { resolveResources } from '../src/platform/resources.js';
import { s3FileStore } from '../src/services/records/file-store.js';
import { ingester } from '../src/services/records/ingester.js';
import { dynamoRecordStore } from '../src/services/records/record-store.js';
import { recordsResources } from '../src/services/records/resources.js';
import { dynamoTenantLease } from '../src/services/records/tenant-lease.js';
import { dynamoTenantStore } from '../src/services/records/tenant-store.js';
import { dynamoUploadStore } from '../src/services/records/upload-store.js';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '100000' }, sample: { type: 'string', default: '5000' } },
});
const rows = Number(values.rows);
const sample = Math.min(Number(values.sample), rows);

function csvOf(count: number, offset = 0): string {
  const lines = ['medical_record_number,first_name,last_name,date_time,doctors_notes,ward'];
  for (let i = offset; i < offset + count; i += 1) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    const minute = String(i % 60).padStart(2, '0');
    lines.push(
      `MRN-${i},First${i % 500},Last${i % 2000},2026-03-${day} 10:${minute},"Note ${i}, ""quoted"" text",W${i % 12}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const perSecond = (count: number, ms: number) => Math.round((count / ms) * 1000);

async function main() {
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-bench-'));
  const engines = await startEmbeddedEngines({ host: '127.0.0.1', dynamodbPort: 0, s3Port: 0, dataDir });
  const aws = createAwsClients({
    region: 'eu-west-1',
    endpoints: engines.endpoints,
    credentials: localCredentials,
  });
  const resources = resolveResources('bench', 'records', recordsResources);
  const log = pino({ level: 'silent' });
  await provisionResources(aws, [resources], log);
  try {
    const tenants = dynamoTenantStore(aws.documents, resources.tables.tenants.name);
    await tenants.create({ id: 'bench', timeZone: 'Europe/London' });
    const recordsTable = resources.tables.records.name;
    const pipeline = ingester({
      uploads: dynamoUploadStore(aws.documents, resources.tables.uploads.name),
      records: dynamoRecordStore(aws.documents, recordsTable),
      tenants,
      lease: dynamoTenantLease(aws.documents, resources.tables.uploads.name),
      files: s3FileStore(aws.s3, resources.buckets.files.name),
      clock: () => new Date(),
      log,
      maxCsvBytes: 1024 * 1024 * 1024,
    });

    const body = csvOf(rows);
    const key = 'incoming/bench/daily.csv';
    await aws.s3.send(new PutObjectCommand({ Bucket: resources.buckets.files.name, Key: key, Body: body }));
    const baselineRss = process.memoryUsage().rss;
    let peakRss = baselineRss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    const started = performance.now();
    await pipeline.objectCreated({ key });
    const pipelineMs = performance.now() - started;
    clearInterval(sampler);

    const items = Array.from({ length: rows }, (_, i) => ({
      pk: `T#raw#MRN#${i}`,
      sk: `2026-03-01T10:00:${String(i % 60).padStart(2, '0')}.000Z`,
      note: `Note ${i}`,
    }));
    const rawStarted = performance.now();
    await batchPut(aws.documents, recordsTable, items);
    const rawMs = performance.now() - rawStarted;

    const naiveStarted = performance.now();
    for (let i = 0; i < sample; i += 1) {
      await aws.documents.send(
        new PutCommand({
          TableName: recordsTable,
          Item: { pk: `T#naive#MRN#${i}`, sk: '2026-03-01T10:00:00.000Z', note: `Note ${i}` },
        }),
      );
    }
    const naiveMs = performance.now() - naiveStarted;

    const pipelineRate = perSecond(rows, pipelineMs);
    const rawRate = perSecond(rows, rawMs);
    const naiveRate = perSecond(sample, naiveMs);
    const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
    process.stdout.write(
      [
        `records ingestion benchmark: ${rows} rows (${mib(Buffer.byteLength(body))} MiB CSV), embedded DynamoDB and S3`,
        `  pipeline (S3 → parse → checks → BatchWriteItem):  ${pipelineRate} rows/s  (${(pipelineMs / 1000).toFixed(1)} s), peak RSS ${mib(peakRss)} MiB (${mib(baselineRss)} MiB before it; the engines share this process)`,
        `  raw BatchWriteItem ceiling, same items and concurrency:  ${rawRate} rows/s`,
        `  row-by-row PutItem (naive, ${sample}-row sample):  ${naiveRate} rows/s`,
        `  pipeline / raw ceiling = ${(pipelineRate / rawRate).toFixed(2)}   pipeline / naive = ${(pipelineRate / naiveRate).toFixed(1)}x`,
        '',
      ].join('\n'),
    );
  } finally {
    aws.destroy();
    await engines.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
