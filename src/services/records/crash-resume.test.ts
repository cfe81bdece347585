import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../local/test-platform.js';
import { dynamoRecordStore } from './record-store.js';
import { dynamoTenantLease } from './tenant-lease.js';
import { dynamoUploadStore } from './upload-store.js';

/**
 * A worker that dies half-way through a file leaves the upload `processing` with some rows written,
 * and the tenant's lease held. Once the lease lapses, recovery ingests the file again: rows are
 * keyed by visit, so nothing is doubled, and nothing is lost.
 */
let now = new Date('2026-11-21T10:00:00Z');
let platform: TestPlatform;
const acme = { 'x-api-key': 'acme-key-123' };

beforeAll(async () => {
  platform = await startTestPlatform({
    clock: () => now,
    env: { SERVICES: 'records', SKIFF_LOCAL_TENANTS: 'acme:Europe/London:acme-key-123' },
  });
});
afterAll(() => platform.stop());

const rows = Array.from(
  { length: 60 },
  (_, i) => `C-${i},Crash,Resume,2026-02-0${1 + (i % 9)} 10:${String(i).padStart(2, '0')},n`,
);
const csv = ['medical_record_number,first_name,last_name,date_time,doctors_notes', ...rows].join('\n');

describe('crash and resume', () => {
  it('reprocesses a file a dead worker left half-written, with no duplicates and no loss', async () => {
    const uploadId = '01a1ff0a-0000-7000-8000-000000000001';
    const objectKey = 'staging/acme/half.csv';
    await platform.aws.s3.send(
      new PutObjectCommand({ Bucket: 'skiff-local-records-files', Key: objectKey, Body: csv }),
    );
    const uploads = dynamoUploadStore(platform.aws.documents, 'skiff-local-records-uploads');
    const records = dynamoRecordStore(platform.aws.documents, 'skiff-local-records-records');
    const lease = dynamoTenantLease(platform.aws.documents, 'skiff-local-records-uploads');
    const upload = {
      uploadId,
      tenant: 'acme',
      fileName: 'half.csv',
      objectKey,
      receivedAt: now.toISOString(),
    };
    await uploads.register(upload, 'queued');
    // The worker that is about to die: it holds the tenant for a minute and began the file.
    expect(await lease.acquire('acme', 'dead-worker', now, 60_000)).toEqual([]);
    expect(await uploads.begin('acme', uploadId)).toBe(true);
    const firstRows = rows.slice(0, 25).map((line) => {
      const [mrn = '', first = '', last = '', dateTime = ''] = line.split(',');
      return {
        medical_record_number: mrn,
        first_name: first,
        last_name: last,
        date_time: dateTime,
        date_time_utc: new Date(`${dateTime.replace(' ', 'T')}:00Z`).toISOString(),
        doctors_notes: 'n',
        extra: {},
      };
    });
    await records.write('acme', firstRows, { fileName: 'half.csv', uploadId, ingestedAt: now.toISOString() });

    // Still within the lease: recovery leaves it to its (presumed living) worker.
    await platform.runTask('records', 'upload-recovery');
    expect(
      (await platform.app.inject({ method: 'GET', url: `/uploads/${uploadId}`, headers: acme })).json()
        .status,
    ).toBe('processing');

    now = new Date(now.getTime() + 61_000);
    // The start-up recovery run may be the one that takes the lapsed lease: wait for whichever does.
    await platform.runTask('records', 'upload-recovery');
    let status = { status: 'processing' };
    for (let i = 0; i < 100 && status.status === 'processing'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = (
        await platform.app.inject({ method: 'GET', url: `/uploads/${uploadId}`, headers: acme })
      ).json();
    }
    expect(status).toMatchObject({ status: 'completed', rows: { total: 60, ingested: 60, rejected: 0 } });
    expect(await uploads.open('acme')).toEqual([]);
    // The worker lets go of the tenant once its drain ends, a moment after the status is final: well
    // before its 60 s lease would lapse.
    let next = await lease.acquire('acme', 'next-worker', now, 60_000);
    for (let i = 0; i < 100 && next === undefined; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      next = await lease.acquire('acme', 'next-worker', now, 60_000);
    }
    expect(next).toEqual([]);
    const stored = (
      await platform.app.inject({ method: 'GET', url: '/records?last_name=resume&limit=1000', headers: acme })
    ).json().items;
    expect(stored).toHaveLength(60);
    expect(new Set(stored.map((r: { medical_record_number: string }) => r.medical_record_number)).size).toBe(
      60,
    );
  });

  it('fails an API upload whose file never arrived once the grace period is over, and goes on', async () => {
    const uploads = dynamoUploadStore(platform.aws.documents, 'skiff-local-records-uploads');
    const uploadId = '01a1ff0a-0000-7000-8000-000000000002';
    const objectKey = `incoming/acme/${uploadId}/lost.csv`;
    await uploads.register(
      { uploadId, tenant: 'acme', fileName: 'lost.csv', objectKey, receivedAt: now.toISOString() },
      'receiving',
    );
    await platform.runTask('records', 'upload-recovery');
    expect((await uploads.get('acme', uploadId))?.status).toBe('receiving');
    now = new Date(now.getTime() + 16 * 60_000);
    await platform.runTask('records', 'upload-recovery');
    expect(await uploads.get('acme', uploadId)).toMatchObject({
      status: 'failed',
      reason: 'the upload never completed: its file did not arrive',
    });
    expect(await uploads.open('acme')).toEqual([]);
  });
});
