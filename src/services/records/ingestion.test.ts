import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../local/test-platform.js';
import { multipartForm, recordsClient } from './records-test-client.js';
import { dynamoUploadStore } from './upload-store.js';

/** Ingestion end to end: HTTP uploads and direct drops, through the embedded S3's events. */
let platform: TestPlatform;
const bucket = 'skiff-local-records-files';
const acme = { 'x-api-key': 'acme-key-123' };
const globex = { 'x-api-key': 'globex-key-456' };
const header = 'medical_record_number,first_name,last_name,date_time,doctors_notes';

beforeAll(async () => {
  platform = await startTestPlatform({
    env: {
      SERVICES: 'records',
      SKIFF_MAX_CSV_BYTES: '4096',
      SKIFF_LOCAL_TENANTS: 'acme:Europe/London:acme-key-123,globex:America/New_York:globex-key-456',
    },
  });
});
afterAll(() => platform.stop());

const { upload, settled, records } = recordsClient(() => platform);

describe('uploads', () => {
  it('ingests several files in one request, with exact counts, row errors and a rejects report', async () => {
    const good = `${header}\nA-1,Ada,Lovelace,2026-07-01 09:00,"Notes, with ""quotes""\nand a line break"\nA-2,Alan,Turing,2026-07-02T10:00:00Z,fine\n`;
    const mixed = `${header}\r\nA-3,Grace,Hopper,2026-07-03 11:00,ok\r\nA-4,,Hopper,2026-07-03 11:00,no name\r\nA-5,Kay,Hopper,31/12/2026,bad date\r\n`;
    const [first, second] = await upload(acme, [
      { name: 'monday.csv', content: good },
      { name: 'tuesday.csv', content: mixed },
    ]);
    expect(first).toMatchObject({ fileName: 'monday.csv', status: 'queued' });
    expect(await settled(acme, first?.uploadId as string)).toMatchObject({
      status: 'completed',
      rows: { total: 2, ingested: 2, rejected: 0 },
      errors: [],
      reportUrl: null,
    });
    const mixedStatus = await settled(acme, second?.uploadId as string);
    expect(mixedStatus).toMatchObject({
      status: 'completed_with_errors',
      rows: { total: 3, ingested: 1, rejected: 2 },
      errors: [
        { line: 3, field: 'first_name', reason: 'is required' },
        { line: 4, field: 'date_time', reason: 'is not a date and time this importer reads' },
      ],
    });
    const report = await platform.app.inject({ method: 'GET', url: mixedStatus.reportUrl, headers: acme });
    expect(report.headers['content-type']).toMatch(/^text\/csv/);
    expect(report.body).toBe(
      'line,field,reason\r\n3,first_name,is required\r\n4,date_time,is not a date and time this importer reads\r\n',
    );
  });

  it('lists the tenant uploads, newest first', async () => {
    const listed = (await platform.app.inject({ method: 'GET', url: '/uploads', headers: acme })).json();
    const names = listed.items.map((u: { fileName: string }) => u.fileName);
    expect(names.indexOf('tuesday.csv')).toBeLessThan(names.indexOf('monday.csv'));
  });

  it('marks the same content uploaded again, under any name, as a duplicate and writes nothing', async () => {
    const content = `${header}\nD-1,Dup,Licate,2026-05-05 05:05,once\n`;
    const [original] = await upload(acme, [{ name: 'a.csv', content }]);
    await settled(acme, original?.uploadId as string);
    const [again] = await upload(acme, [{ name: 'renamed.csv', content }]);
    expect(await settled(acme, again?.uploadId as string)).toMatchObject({
      status: 'duplicate',
      duplicateOf: original?.uploadId,
    });
    expect((await records(acme, 'medical_record_number=D-1')).items).toHaveLength(1);
  });

  it('ingests a file posted five times in parallel once', async () => {
    const content = `${header}\nP-1,Para,Llel,2026-06-06 06:06,x\nP-2,Para,Llel,2026-06-07 06:06,y\n`;
    const posted = await Promise.all(
      Array.from({ length: 5 }, () => upload(acme, [{ name: 'same.csv', content }])),
    );
    const statuses = await Promise.all(posted.map(([u]) => settled(acme, u?.uploadId as string)));
    expect(statuses.map((s) => s.status).sort()).toEqual([
      'completed',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    expect((await records(acme, 'last_name=llel')).items).toHaveLength(2);
  });

  it('lets the newer file win for the same visit, and names its source', async () => {
    const visit = 'N-1,New,Er,2026-08-08 08:00';
    const [older] = await upload(acme, [{ name: 'older.csv', content: `${header}\n${visit},old notes\n` }]);
    await settled(acme, older?.uploadId as string);
    const [newer] = await upload(acme, [{ name: 'newer.csv', content: `${header}\n${visit},new notes\n` }]);
    await settled(acme, newer?.uploadId as string);
    expect((await records(acme, 'medical_record_number=N-1')).items).toEqual([
      expect.objectContaining({ doctors_notes: 'new notes', source_file: 'newer.csv' }),
    ]);
  });

  it.each([
    ['an empty file', '', 'empty: no header row'],
    ['a header alone', `${header}\n`, 'empty: a header and no rows'],
    [
      'a missing column',
      'medical_record_number,first_name,date_time,doctors_notes\nX,Y,2026-01-01 10:00,z\n',
      'missing required column(s): last_name',
    ],
    [
      'an image',
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      'not a text file (it contains NUL bytes: binary or UTF-16)',
    ],
    [
      'Latin-1 text',
      Buffer.concat([
        Buffer.from(`${header}\nL-1,Ren`),
        Buffer.from([0xe9]),
        Buffer.from(',X,2026-01-01 10:00,n\n'),
      ]),
      'not UTF-8 text',
    ],
  ])('fails %s as a whole file, with its reason', async (_case, content, reason) => {
    const [sent] = await upload(acme, [{ name: 'broken.csv', content }]);
    expect(await settled(acme, sent?.uploadId as string)).toMatchObject({
      status: 'failed',
      reason,
      rows: { total: 0, ingested: 0, rejected: 0 },
    });
  });

  it('fails a file over SKIFF_MAX_CSV_BYTES without reading it into memory', async () => {
    const big = `${header}\n${'B-1,Big,File,2026-01-01 10:00,x\n'.repeat(200)}`;
    const [sent] = await upload(acme, [{ name: 'big.csv', content: big }]);
    expect(sent?.status).toBe('failed');
    expect(await settled(acme, sent?.uploadId as string)).toMatchObject({
      status: 'failed',
      reason: 'larger than SKIFF_MAX_CSV_BYTES (4096 bytes)',
    });
  });

  it('ingests a file dropped straight into the bucket under incoming/<tenant>/', async () => {
    await platform.aws.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'incoming/globex/sftp/2026-11-21.csv',
        Body: `${header}\nG-1,Gus,Drop,2026-03-08 02:30,dst gap\n`,
      }),
    );
    let items: { medical_record_number: string; date_time_utc: string }[] = [];
    for (let i = 0; i < 100 && items.length === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      items = (await records(globex, 'medical_record_number=G-1')).items;
    }
    // The page names the zone the tenant's times were read in, for a client to show them on its wall clock.
    expect((await records(globex, 'medical_record_number=G-1')).timeZone).toBe('America/New_York');
    // 02:30 does not exist in New York on 8 March 2026: read as 03:30 EDT.
    expect(items).toEqual([
      expect.objectContaining({ source_file: '2026-11-21.csv', date_time_utc: '2026-03-08T07:30:00.000Z' }),
    ]);
    // The rows are visible before the upload is marked final: its status is the last write.
    const listed = (await platform.app.inject({ method: 'GET', url: '/uploads', headers: globex })).json();
    expect(listed.items).toEqual([expect.objectContaining({ fileName: '2026-11-21.csv' })]);
    expect(await settled(globex, listed.items[0].uploadId)).toMatchObject({ status: 'completed' });
  });
});

describe('forms over a limit or cut off', () => {
  const boundary = '----records';
  const textField = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const post = (payload: Buffer | string) =>
    platform.app.inject({
      method: 'POST',
      url: '/uploads',
      payload,
      headers: { ...acme, 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
  const csv = (mrn: string) => `${header}\n${mrn},Form,Limit,2026-02-02 10:00,n\n`;

  it('skips a file input left empty, as a browser sends it, and takes the files beside it', async () => {
    const empty = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n`;
    const withFile = await post(
      empty + multipartForm([{ name: 'beside.csv', content: csv('EF-1') }]).payload,
    );
    expect(withFile.statusCode).toBe(202);
    expect(withFile.json()).toEqual([expect.objectContaining({ fileName: 'beside.csv', status: 'queued' })]);
    const alone = await post(`${empty}--${boundary}--\r\n`);
    expect(alone.statusCode).toBe(400);
    expect(alone.json().detail).toBe('The form has no files.');
  });

  it('refuses a 21st file with a 413 that lists the 20 accepted before it, and ingests those', async () => {
    const files = Array.from({ length: 21 }, (_, i) => ({ name: `f${i}.csv`, content: csv(`FL-${i}`) }));
    const response = await post(multipartForm(files).payload);
    expect(response.statusCode).toBe(413);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.json();
    expect(problem.detail).toBe(
      'The form has more than 20 file(s). The 20 file(s) read until then were accepted: see `uploads`.',
    );
    expect(problem.uploads.map((u: { fileName: string }) => u.fileName)).toEqual(
      files.slice(0, 20).map((f) => f.name),
    );
    expect(await settled(acme, problem.uploads[19].uploadId)).toMatchObject({ status: 'completed' });
    expect((await records(acme, 'medical_record_number=FL-19')).items).toHaveLength(1);
    expect((await records(acme, 'medical_record_number=FL-20')).items).toHaveLength(0);
  });

  it('lists the files accepted before a body cut off inside the next one', async () => {
    const whole = multipartForm([{ name: 'whole.csv', content: csv('CUT-1') }]).payload.toString();
    const cut =
      whole.replace(`--${boundary}--\r\n`, '') +
      multipartForm([{ name: 'cut.csv', content: csv('CUT-2') }])
        .payload.toString()
        .slice(0, 150);
    const response = await post(cut);
    expect(response.statusCode).toBe(400);
    const problem = response.json();
    expect(problem.detail).toMatch(
      /^The multipart body ends inside a part.* The 1 file\(s\) read until then were accepted/,
    );
    expect(problem.uploads).toEqual([expect.objectContaining({ fileName: 'whole.csv', status: 'queued' })]);
    expect(await settled(acme, problem.uploads[0].uploadId)).toMatchObject({ status: 'completed' });
  });

  it('ignores a few text fields, cut to 1 KiB each in memory, and refuses an eleventh', async () => {
    const file = multipartForm([{ name: 'with-fields.csv', content: csv('TF-1') }]).payload.toString();
    const fields = (count: number, bytes: number) =>
      Array.from({ length: count }, (_, i) => textField(`note${i}`, 'x'.repeat(bytes))).join('');
    const ignored = await post(fields(10, 2 * 1024 * 1024) + file);
    expect(ignored.statusCode).toBe(202);
    expect(ignored.json()).toEqual([expect.objectContaining({ fileName: 'with-fields.csv' })]);

    // The parser still hands over the file after the eleventh field, then the limit: the file is taken.
    const flood = await post(fields(11, 10) + file.replace('TF-1', 'TF-2'));
    expect(flood.statusCode).toBe(413);
    expect(flood.json()).toMatchObject({
      detail:
        'The form has more than 10 text field(s). This route reads files only. The 1 file(s) read until then were accepted: see `uploads`.',
      uploads: [expect.objectContaining({ fileName: 'with-fields.csv' })],
    });
  });
});

describe('tenant isolation', () => {
  it('never shows one tenant the other tenant records or uploads, even by id', async () => {
    expect((await records(globex, 'last_name=lovelace')).items).toEqual([]);
    expect((await records(acme, 'medical_record_number=G-1')).items).toEqual([]);
    const acmeUploads = (await platform.app.inject({ method: 'GET', url: '/uploads', headers: acme })).json()
      .items;
    const someAcmeUpload = acmeUploads[0].uploadId;
    expect(
      (await platform.app.inject({ method: 'GET', url: `/uploads/${someAcmeUpload}`, headers: globex }))
        .statusCode,
    ).toBe(404);
    const globexUploads = (
      await platform.app.inject({ method: 'GET', url: '/uploads', headers: globex })
    ).json().items;
    expect(globexUploads.map((u: { fileName: string }) => u.fileName)).toEqual(['2026-11-21.csv']);
  });

  it('ignores a tenant named in a parameter: the key decides', async () => {
    const response = await platform.app.inject({
      method: 'GET',
      url: '/records?last_name=lovelace&tenant=acme',
      headers: globex,
    });
    expect(response.json().items).toEqual([]);
  });

  it('refuses a missing or unknown key with 403 and the front end message', async () => {
    for (const headers of [{}, { 'x-api-key': 'not-a-key' }]) {
      const response = await platform.app.inject({ method: 'GET', url: '/uploads', headers });
      expect(response.statusCode).toBe(403);
      expect(response.json().detail).toBe('Could not validate API key');
    }
  });
});

describe('privacy', () => {
  it('still ingests an upload stored before, under the key that held the client file name', async () => {
    const uploads = dynamoUploadStore(platform.aws.documents, 'skiff-local-records-uploads');
    const uploadId = '01a1ff0a-0000-7000-8000-0000000000a1';
    const objectKey = `incoming/acme/${uploadId}/visits.csv`;
    const receivedAt = new Date().toISOString();
    await uploads.register(
      { uploadId, tenant: 'acme', fileName: 'visits.csv', objectKey, receivedAt },
      'receiving',
    );
    const Body = `${header}\nK-1,Old,Key,2026-02-03 10:00,kept\n`;
    await platform.aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: objectKey, Body }));
    expect(await settled(acme, uploadId)).toMatchObject({ status: 'completed', fileName: 'visits.csv' });
    expect((await records(acme, 'medical_record_number=K-1')).items).toEqual([
      expect.objectContaining({ source_file: 'visits.csv' }),
    ]);
  });

  it('keeps the client file name out of the object key, which S3 access logs and events carry', async () => {
    const content = `${header}\nJ-1,Jane,Doe,2026-02-02 10:00,referral\n`;
    const [sent] = await upload(acme, [{ name: 'Jane Doe referral.csv', content }]);
    const uploadId = sent?.uploadId as string;
    expect(await settled(acme, uploadId)).toMatchObject({
      status: 'completed',
      fileName: 'Jane_Doe_referral.csv',
    });
    expect((await records(acme, 'medical_record_number=J-1')).items).toEqual([
      expect.objectContaining({ source_file: 'Jane_Doe_referral.csv' }),
    ]);
    const listed = await platform.aws.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'incoming/acme/' }),
    );
    const keys = (listed.Contents ?? []).map((object) => object.Key);
    expect(keys).toContain(`incoming/acme/${uploadId}/upload.csv`);
    expect(keys.filter((key) => key?.includes('Jane'))).toEqual([]);
  });

  it('never writes names or notes to the logs', () => {
    const logs = platform.rawLogs();
    expect(logs).toContain('upload ingested');
    for (const secret of ['Lovelace', 'Ada', 'Hopper', 'with ""quotes""', 'new notes', 'dst gap'])
      expect(logs).not.toContain(secret);
  });
});
