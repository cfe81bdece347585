import { PassThrough } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { v7 as uuidV7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionResources } from '../../local/provision.js';
import { startTestPlatform, type TestPlatform } from '../../local/test-platform.js';
import { commandOn, withWriteFaults } from '../../local/write-faults.js';
import { resolveResources } from '../../platform/resources.js';
import { s3FileStore } from './file-store.js';
import { receiveFile } from './ingester.js';
import { dynamoRecordStore } from './record-store.js';
import { recordsResources } from './resources.js';
import { recordsService } from './service.js';
import { dynamoTenantStore } from './tenant-store.js';
import { dynamoUploadStore, isFinal } from './upload-store.js';

/**
 * Several workers on one tenant, as on AWS where up to ten ingester Lambdas share the queue. The
 * records service is not mounted, so nothing in-process reacts to S3 events: the workers built here
 * are the only ingesters, and the test decides who hears of which file, and when.
 */
let platform: TestPlatform;
const resources = resolveResources('local', 'records', recordsResources);
const header = 'medical_record_number,first_name,last_name,date_time,doctors_notes';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  platform = await startTestPlatform({ env: { SERVICES: 'greetings' } });
  await provisionResources(platform.aws, [resources], pino({ level: 'silent' }));
  await dynamoTenantStore(platform.aws.documents, resources.tables.tenants.name).create({
    id: 'acme',
    timeZone: 'UTC',
  });
});
afterAll(() => platform.stop());

/** One more ingester process: its own service instance over the same engines. */
function worker(name: string) {
  const log = pino({ level: 'silent' }).child({ worker: name });
  return recordsService.create({
    config: { records: { maxCsvBytes: 50 * 1024 * 1024, localTenants: [] } } as never,
    aws: platform.aws,
    resources,
    notifier: { publish: async () => ({ messageId: 'none' }) } as never,
    clock: () => new Date(),
    mode: 'cloud',
    log,
  });
}

const uploads = () => dynamoUploadStore(platform.aws.documents, resources.tables.uploads.name);
const stored = (mrn: string) =>
  dynamoRecordStore(platform.aws.documents, resources.tables.records.name).query(
    'acme',
    { medical_record_number: mrn },
    10,
  );
const drop = (key: string, body: string) =>
  platform.aws.s3.send(new PutObjectCommand({ Bucket: resources.buckets.files.name, Key: key, Body: body }));

async function allFinal() {
  for (let i = 0; i < 500; i += 1) {
    const open = await uploads().open('acme');
    if (open.length === 0) return;
    await pause(20);
  }
  throw new Error('uploads stayed open');
}

describe('two workers on one tenant', () => {
  it.each([1, 2, 3])(
    'the newer file wins, whichever worker hears of which file first (round %i)',
    async (round) => {
      const visit = `V-${round},Ver,Sion,2026-04-0${round} 09:00`;
      // The older file is long, so without ordering the newer one would finish first and be overwritten.
      const filler = Array.from({ length: 3000 }, (_, i) => `F-${round}-${i},Fill,Er,2026-04-01 10:00,x`);
      const olderKey = `incoming/acme/round-${round}/older.csv`;
      const newerKey = `incoming/acme/round-${round}/newer.csv`;
      await drop(olderKey, `${header}\n${filler.join('\n')}\n${visit},older notes\n`);
      await pause(1100); // S3's Last-Modified has whole seconds: this makes the second file newer.
      await drop(newerKey, `${header}\n${visit},newer notes\n`);

      const [first, second] = [worker('first'), worker('second')];
      await Promise.all([
        second.objectCreated?.files?.({ key: newerKey }),
        first.objectCreated?.files?.({ key: olderKey }),
      ]);
      await allFinal();
      const rows = (await stored(`V-${round}`)).items;
      expect(rows).toEqual([
        expect.objectContaining({ doctors_notes: 'newer notes', source_file: 'newer.csv' }),
      ]);
      const statuses = (await uploads().list('acme', 100)).uploads.filter((u) =>
        u.objectKey.includes(`round-${round}/`),
      );
      expect(statuses.map((u) => u.status)).toEqual(['completed', 'completed']);
      await Promise.all([first.close?.(), second.close?.()]);
    },
  );

  it('keeps the newer file when the older one is heard of only after the newer was ingested', async () => {
    const visit = 'L-1,Late,Comer,2026-05-05 09:00';
    const olderKey = 'incoming/acme/late/older.csv';
    const newerKey = 'incoming/acme/late/newer.csv';
    await drop(olderKey, `${header}\n${visit},older notes\nL-2,Late,Only,2026-05-05 10:00,only in older\n`);
    await pause(1100); // S3's Last-Modified has whole seconds: this makes the second file newer.
    await drop(newerKey, `${header}\n${visit},newer notes\n`);
    const late = worker('late');
    await late.objectCreated?.files?.({ key: newerKey });
    await allFinal();
    // The older file's event comes last (a slow worker, a redelivery): its rows fill in, never overwrite.
    await late.objectCreated?.files?.({ key: olderKey });
    await allFinal();
    expect((await stored('L-1')).items).toEqual([
      expect.objectContaining({ doctors_notes: 'newer notes', source_file: 'newer.csv' }),
    ]);
    expect((await stored('L-2')).items).toEqual([expect.objectContaining({ source_file: 'older.csv' })]);
    await late.close?.();
  });

  it('ingests the same file dropped five times at once by five workers once', async () => {
    const key = 'incoming/acme/parallel/same.csv';
    await drop(key, `${header}\nP-1,Para,Llel,2026-06-06 06:06,x\n`);
    const workers = Array.from({ length: 5 }, (_, i) => worker(`w${i}`));
    await Promise.all(workers.map((w) => w.objectCreated?.files?.({ key })));
    await allFinal();
    const same = (await uploads().list('acme', 100)).uploads.filter((u) => u.objectKey === key);
    expect(same.map((u) => u.status)).toEqual(['completed']);
    expect((await stored('P-1')).items).toHaveLength(1);
    await Promise.all(workers.map((w) => w.close?.()));
  });
});

describe('recovery racing an upload in flight', () => {
  it('leaves an upload that is still arriving alone, then ingests it once it is stored', async () => {
    const store = uploads();
    const files = s3FileStore(platform.aws, resources.buckets.files.name);
    const uploadId = uuidV7();
    const body = new PassThrough();
    const receiving = receiveFile(
      { uploads: store, files, clock: () => new Date() },
      { tenant: 'acme', uploadId, fileName: 'slow.csv', receivedAt: new Date().toISOString() },
      body,
    );
    body.write(`${header}\nS-1,Slow,Ly,2026-05-01 10:00,first half\n`);
    await pause(100);
    const recovery = worker('recovery');
    await recovery.tasks?.find((t) => t.name === 'upload-recovery')?.run();
    expect((await store.get('acme', uploadId))?.status).toBe('receiving');

    body.end('S-2,Slow,Ly,2026-05-02 10:00,second half\n');
    await receiving;
    expect((await store.get('acme', uploadId))?.status).toBe('queued');
    await recovery.tasks?.find((t) => t.name === 'upload-recovery')?.run();
    const done = await store.get('acme', uploadId);
    expect(done && isFinal(done) && done).toMatchObject({
      status: 'completed',
      rows: { total: 2, ingested: 2, rejected: 0 },
    });
    await recovery.close?.();
  });
});

describe('a tenant whose create landed though its answer was lost', () => {
  it('is created, and listed for the recovery task to visit', async () => {
    const tenants = dynamoTenantStore(platform.aws.documents, resources.tables.tenants.name);
    const sentTwice = commandOn('Put', 'TENANT#lost-answer');
    await withWriteFaults(platform.aws.documents, [[sentTwice, 'lands, then retried']], async () => {
      expect(await tenants.create({ id: 'lost-answer', timeZone: 'UTC' })).toBe(true);
    });
    expect(await tenants.ids()).toContain('lost-answer');
    expect(await tenants.create({ id: 'lost-answer', timeZone: 'UTC' })).toBe(false);
  });
});
