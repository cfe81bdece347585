import { readFileSync } from 'node:fs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../local/test-platform.js';
import { type CommandMatch, withWriteFaults } from '../../local/write-faults.js';
import { untilProcessed } from '../../platform/aws/unprocessed.js';
import { recordsClient } from './records-test-client.js';

/**
 * The files people really upload, through the HTTP API and the embedded S3's events: each ends in a
 * final status within seconds, with its counts and a reason that quotes nothing, and the tenant's
 * next file always completes after it.
 */
let platform: TestPlatform;
const acme = { 'x-api-key': 'acme-key-123' };
const header = 'medical_record_number,first_name,last_name,date_time,doctors_notes';
const bucket = 'skiff-local-records-files';
const { upload, settled, records } = recordsClient(() => platform);

beforeAll(async () => {
  platform = await startTestPlatform({
    env: {
      SERVICES: 'records',
      SKIFF_MAX_CSV_BYTES: String(8 * 1024 * 1024),
      SKIFF_LOCAL_TENANTS: 'acme:Europe/Kyiv:acme-key-123',
    },
  });
});
afterAll(() => platform.stop());

const secret = (n: number) => `Zyxwq${n}`;
let serial = 0;
/** A good file with a fresh visit, written by a secret-named patient. */
const goodFile = () => {
  serial += 1;
  return `${header}\nOK-${serial},${secret(serial)},Good,2026-02-01 10:00,fine\n`;
};

const rowsOf = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => `R-${from + i},Nadia,Secretova,2026-01-01 10:00,confidential note`);

/**
 * Makes the records table's writes that `fails` picks (given their items) throw `error()`, until the
 * returned function is called. Safe mid-run: the document client resolves its middleware on every
 * call (decision 0022).
 */
function failRecordWrites(
  fails: (items: unknown[]) => boolean,
  error: () => Error | Promise<unknown>,
): () => void {
  const name = 'failRecordWrites';
  const failing = (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
    const input = (args as { input: { RequestItems?: Record<string, unknown[]> } }).input;
    const items = input.RequestItems?.['skiff-local-records-records'];
    if (items && fails(items)) throw await error();
    return next(args);
  };
  platform.aws.documents.middlewareStack.add(failing as never, { step: 'initialize', name });
  return () => platform.aws.documents.middlewareStack.remove(name);
}

const view = async (uploadId?: string) =>
  (await platform.app.inject({ method: 'GET', url: `/uploads/${uploadId}`, headers: acme })).json();

/**
 * A file held `queued` by a fault, with the tenant's next file waiting behind it: once `restore`
 * removes the fault, one recovery run completes it with all its `total` rows, then the next file.
 */
async function expectMendedInOrder(restore: () => void, heldId?: string, nextId?: string, total = 1) {
  expect((await view(nextId)).status).toBe('queued');
  restore();
  await platform.runTask('records', 'upload-recovery');
  expect(await settled(acme, heldId as string)).toMatchObject({
    status: 'completed',
    rows: { total, ingested: total, rejected: 0 },
  });
  expect(await settled(acme, nextId as string)).toMatchObject({ status: 'completed' });
}

const mib = 1024 * 1024;
const cases: [string, string | Buffer, Record<string, unknown>][] = [
  [
    'a stray quote inside a plain field',
    `${header}\nM1,Ada,Love"lace,2026-01-01 10:00,n\nM2,Bea,Smith,2026-01-01 10:00,n\n`,
    {
      status: 'completed_with_errors',
      rows: { total: 2, ingested: 1, rejected: 1 },
      errors: [{ line: 2, field: 'last_name', reason: 'has a quote inside an unquoted field' }],
    },
  ],
  [
    'an unbalanced quote',
    `${header}\nM3,Ada,Lovelace,2026-01-01 10:00,"secretnote\nM4,x,y,2026-01-01 10:00,n\n`,
    { status: 'failed', reason: 'line 2: a quoted field opened here is never closed' },
  ],
  ['a header and no rows', `${header}\n`, { status: 'failed', reason: 'empty: a header and no rows' }],
  [
    'no header',
    'M5,Ada,Lovelace,2026-01-01 10:00,n\n',
    { status: 'failed', reason: expect.stringMatching(/^missing required column\(s\)/) },
  ],
  [
    'NUL bytes',
    `${header}\nM6,Ada\u0000,Lovelace,2026-01-01 10:00,n\n`,
    { status: 'failed', reason: expect.stringContaining('NUL bytes') },
  ],
  [
    'binary data',
    Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, 0x00, 0x00]),
    { status: 'failed', reason: expect.stringContaining('NUL bytes') },
  ],
  [
    'UTF-16 with a BOM',
    Buffer.from(`\uFEFF${header}\nM7,A,B,2026-01-01 10:00,n\n`, 'utf16le'),
    { status: 'failed', reason: 'UTF-16 text: save the file as UTF-8' },
  ],
  [
    'UTF-16 without a BOM',
    Buffer.from(`${header}\nM8,A,B,2026-01-01 10:00,n\n`, 'utf16le'),
    { status: 'failed', reason: expect.stringContaining('UTF-16') },
  ],
  [
    'CR-only line ends',
    `${header}\rM9,Cr,Only,2026-01-01 10:00,n\rM10,Cr,Only,2026-01-02 10:00,n\r`,
    { status: 'completed', rows: { total: 2, ingested: 2, rejected: 0 } },
  ],
  [
    'a CRLF header over LF rows (files joined from two tools)',
    `${header}\r\n${Array.from({ length: 500 }, (_, i) => `MX${i},Mixed,Ends,2026-01-01 10:00,n`).join('\n')}\n`,
    { status: 'completed', rows: { total: 500, ingested: 500, rejected: 0 } },
  ],
  [
    'a 5 MB single field',
    `${header}\nM11,Ada,Lovelace,2026-01-01 10:00,"${'x'.repeat(5 * mib)}"\n`,
    { status: 'failed', reason: expect.stringMatching(/^line 2: a row longer than/) },
  ],
  [
    '100k columns in one line',
    `${Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(',')}\n`,
    { status: 'failed', reason: expect.stringMatching(/^line 1: a row longer than/) },
  ],
  // The SDK's marshalling could not store these as keys: every write of the file failed, and it was
  // tried again for ever, holding up the tenant's later files.
  [
    'a column named __proto__',
    `${header},__proto__\nM12,Ada,Lovelace,2026-01-01 10:00,n,x\n`,
    { status: 'failed', reason: 'column 6 has a name this importer cannot store' },
  ],
  [
    'a column named constructor',
    `${header},ward,constructor\nM13,Ada,Lovelace,2026-01-01 10:00,n,w,x\n`,
    { status: 'failed', reason: 'column 7 has a name this importer cannot store' },
  ],
  [
    // Each refused row names its column in the status, one DynamoDB item: over 400 KB, it was refused
    // and the file tried for ever.
    'a column name of 250,000 characters',
    `${header},${'n'.repeat(250_000)}\nM14,Ada,Lovelace,2026-01-01 10:00,n,a"b\nM15,Ada,Lovelace,2026-01-01 10:00,n,a"b\n`,
    { status: 'failed', reason: 'column 6 has a name longer than 255 characters' },
  ],
  [
    'an early failure on a 1 MB file',
    `wrong,header\n${rowsOf(20_000).join('\n')}\n`.slice(0, mib),
    { status: 'failed', reason: expect.stringMatching(/^missing required column/) },
  ],
];

describe('hostile files', () => {
  it.each(cases)('%s: a final status, then the next file completes', async (_name, content, expected) => {
    const [sent, next] = await upload(acme, [
      { name: 'hostile.csv', content },
      { name: 'next.csv', content: goodFile() },
    ]);
    expect(await settled(acme, sent?.uploadId as string)).toMatchObject(expected);
    expect(await settled(acme, next?.uploadId as string)).toMatchObject({ status: 'completed' });
  });

  it('leaves a file whose DynamoDB write fails mid-way queued, then completes it; the next file waits', async () => {
    let writes = 0;
    // From the third write on, every write fails: retries stay stuck until the fault is removed.
    const restore = failRecordWrites(
      () => ++writes >= 3,
      () =>
        Object.assign(new Error('Throughput exceeds the current capacity'), {
          name: 'ProvisionedThroughputExceededException',
          $retryable: undefined,
        }),
    );
    try {
      const content = `${header}\n${rowsOf(6000, 100).join('\n')}\n`;
      const [sent, next] = await upload(acme, [
        { name: 'big.csv', content },
        { name: 'next.csv', content: goodFile() },
      ]);
      let status = await view(sent?.uploadId);
      for (let i = 0; i < 250 && status.attempts === 0; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        status = await view(sent?.uploadId);
      }
      expect(status).toMatchObject({ status: 'queued', rows: { total: 0, ingested: 0, rejected: 0 } });
      expect(status.attempts).toBeGreaterThan(0);
      await expectMendedInOrder(restore, sent?.uploadId, next?.uploadId, 6000);
    } finally {
      restore();
    }
  });
});

describe('a file of tiny bad rows', () => {
  it('keeps the first 100,000 errors in its report, then says how many more', async () => {
    // Three bytes a row, each a report line of about 60: every error listed would make the report
    // twenty times the file, and a 50 MB file's a gigabyte.
    const content = `${header}\n${'x"\n'.repeat(100_005)}`;
    const [sent] = await upload(acme, [{ name: 'tiny.csv', content }]);
    const done = await settled(acme, sent?.uploadId as string);
    expect(done).toMatchObject({
      status: 'completed_with_errors',
      rows: { total: 100_005, rejected: 100_005 },
    });
    const report = await platform.app.inject({ method: 'GET', url: done.reportUrl, headers: acme });
    const lines = report.body.trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + 100_000 + 1);
    expect(lines[100_000]).toBe('100001,medical_record_number,has a quote inside an unquoted field');
    expect(lines.at(-1)).toBe(',,5 more errors not listed: the report keeps the first 100000');
  }, 60_000);
});

describe('a write the database refuses', () => {
  it('fails a file with a row too large to store, keeps what was stored, and the next file completes', async () => {
    let writes = 0;
    // As DynamoDB answers an item over 400 KB: a 400.
    const restore = failRecordWrites(
      () => ++writes === 3,
      () =>
        Object.assign(new Error('Item size has exceeded the maximum allowed size'), {
          name: 'ValidationException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        }),
    );
    try {
      const [sent, next] = await upload(acme, [
        { name: 'big.csv', content: `${header}\n${rowsOf(3000, 10_000).join('\n')}\n` },
        { name: 'next.csv', content: goodFile() },
      ]);
      const failed = await settled(acme, sent?.uploadId as string);
      expect(failed).toMatchObject({
        status: 'failed',
        reason: 'a row could not be stored: it is larger than the database takes',
        attempts: 0,
      });
      expect(failed.rows.ingested).toBeGreaterThan(0);
      expect(failed.rows.ingested).toBeLessThan(3000);
      expect(await settled(acme, next?.uploadId as string)).toMatchObject({ status: 'completed' });
    } finally {
      restore();
    }
  });
});

describe('a try stopped again and again', () => {
  /** Makes every records write that carries one of `poison`'s rows throw `error()`, until restored. */
  const failWritesOf = (poison: string, error: () => Error | Promise<unknown>) =>
    failRecordWrites((items) => JSON.stringify(items).includes(poison), error);
  /** Runs the recovery task, whenever the upload waits queued, until it has `attempts` tries or is final. */
  const open = ['receiving', 'queued', 'processing'];
  const recoverUntil = async (uploadId: string | undefined, attempts: number) => {
    let status = await view(uploadId);
    for (let i = 0; i < 500 && status.attempts < attempts && open.includes(status.status); i += 1) {
      if (status.status === 'queued') await platform.runTask('records', 'upload-recovery');
      else await new Promise((resolve) => setTimeout(resolve, 20));
      status = await view(uploadId);
    }
    return status;
  };

  it('counts a stopped try once when its release landed and the SDK sent it again', async () => {
    const restore = failWritesOf('TWICE-1', () => new TypeError('a bug'));
    try {
      const [sent] = await upload(acme, [
        { name: 'twice.csv', content: `${header}\nTWICE-1,Ada,Twice,2026-01-01 10:00,n\n` },
      ]);
      const release: CommandMatch = (command) =>
        command.input.ConditionExpression?.includes('lastRelease') === true;
      await withWriteFaults(platform.aws.documents, [[release, 'lands, then retried']], async () => {
        expect(await recoverUntil(sent?.uploadId, 1)).toMatchObject({ status: 'queued', attempts: 1 });
      });
    } finally {
      restore();
    }
    await platform.runTask('records', 'upload-recovery');
  });

  it('fails a file that brings an error of the importer back on five tries; the next file completes', async () => {
    // As a column named __proto__ once made the SDK's marshalling throw on every try, for ever.
    const restore = failWritesOf('POISON-1', () => new TypeError(`cannot store ${secret(901)}`));
    try {
      const [sent, next] = await upload(acme, [
        { name: 'poison.csv', content: `${header}\nPOISON-1,${secret(901)},Bad,2026-01-01 10:00,n\n` },
        { name: 'next.csv', content: goodFile() },
      ]);
      await recoverUntil(sent?.uploadId, 99);
      const failed = await settled(acme, sent?.uploadId as string);
      expect(failed).toMatchObject({
        status: 'failed',
        attempts: 5,
        reason:
          'stopped on 5 tries, the last by an error of the importer (TypeError); rows stored before stay',
      });
      expect(JSON.stringify(failed)).not.toContain(secret(901));
      expect(await settled(acme, next?.uploadId as string)).toMatchObject({ status: 'completed' });
    } finally {
      restore();
    }
  });

  it.each([
    [
      'refused by the deployment (access denied)',
      'POISON-2',
      () =>
        Object.assign(new Error('User is not authorized to perform: dynamodb:BatchWriteItem'), {
          name: 'AccessDeniedException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        }),
    ],
    [
      "still throttled after the batch write's own retries",
      'POISON-3',
      // What the batch writer throws when DynamoDB hands the same items back on every retry.
      () =>
        untilProcessed(['row'], async (pending) => pending, {
          maxRetries: 0,
          backoffMs: 0,
          what: 'BatchWriteItem',
        })
          .then(() => new Error('processed after all'))
          .catch((stillThrottled: unknown) => stillThrottled),
    ],
  ])('keeps a file %s queued past five tries, then completes it', async (_case, poison, error) => {
    const restore = failWritesOf(poison, error);
    try {
      const [sent, next] = await upload(acme, [
        { name: `${poison}.csv`, content: `${header}\n${poison},Ada,Lovelace,2026-01-01 10:00,n\n` },
        { name: 'next.csv', content: goodFile() },
      ]);
      expect(await recoverUntil(sent?.uploadId, 7)).toMatchObject({ status: 'queued', attempts: 7 });
      await expectMendedInOrder(restore, sent?.uploadId, next?.uploadId);
    } finally {
      restore();
    }
  });
});

describe('a claim whose answer was lost', () => {
  it('ingests again content a failed upload held, when the takeover of its claim landed and was sent again', async () => {
    const content = `${header}\nLOST-1,"Never closed,Claim,2026-01-01 10:00,n\n`;
    const [first] = await upload(acme, [{ name: 'broken.csv', content }]);
    expect(await settled(acme, first?.uploadId as string)).toMatchObject({ status: 'failed' });
    const takeover: CommandMatch = (command) =>
      command.input.ConditionExpression?.startsWith('uploadId = :holder') === true;
    await withWriteFaults(platform.aws.documents, [[takeover, 'lands, then retried']], async () => {
      const [again] = await upload(acme, [{ name: 'broken-again.csv', content }]);
      // Read again, and refused again for what it is: not a `duplicate` of the failed upload.
      expect(await settled(acme, again?.uploadId as string)).toMatchObject({
        status: 'failed',
        reason: expect.stringContaining('never closed'),
      });
    });
  });
});

describe('redrops', () => {
  const key = 'incoming/acme/nightly/export.csv';
  const drop = (body: string) =>
    platform.aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const dropped = async (count: number, fileName = 'export.csv') => {
    for (let i = 0; i < 250; i += 1) {
      const found = (await platform.app.inject({ method: 'GET', url: '/uploads?limit=100', headers: acme }))
        .json()
        .items.filter((u: { fileName: string; status: string }) => u.fileName === fileName);
      if (
        found.length >= count &&
        found.every((u: { status: string }) => !['queued', 'processing'].includes(u.status))
      )
        return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('drops did not settle');
  };

  it('takes a folder marker (an empty object whose key ends in /) for no file', async () => {
    const put = (key: string, body: string) =>
      platform.aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from(body) }));
    await put('incoming/acme/markers/', '');
    await put('incoming/acme/markers/visits.csv', `${header}\nN-0,Mark,Er,2026-02-28 22:00,n\n`);
    // The tenant's files are taken in order: once the later one is done, the marker was seen first.
    expect(await dropped(1, 'visits.csv')).toEqual([expect.objectContaining({ status: 'completed' })]);
    const { items } = (
      await platform.app.inject({ method: 'GET', url: '/uploads?limit=100', headers: acme })
    ).json();
    // A marker read as a file had no name after its last slash, and failed as `empty: no header row`.
    expect(items.filter((u: { fileName: string }) => u.fileName === '')).toEqual([]);
  });

  it('ingests new content under the same key as a new upload, and the same content again as a duplicate', async () => {
    await drop(`${header}\nN-1,Night,Ly,2026-03-01 22:00,monday\n`);
    const [monday] = await dropped(1);
    expect(monday).toMatchObject({ status: 'completed' });
    await drop(`${header}\nN-1,Night,Ly,2026-03-02 22:00,tuesday\n`);
    const two = await dropped(2);
    expect(two.map((u: { status: string }) => u.status)).toEqual(['completed', 'completed']);
    expect((await records(acme, 'medical_record_number=N-1')).items).toHaveLength(2);
    // Same key, same ETag and the same Last-Modified second is the same version (a redelivery): a
    // later drop of the same bytes is a new upload only once S3's second-precision clock has moved.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await drop(`${header}\nN-1,Night,Ly,2026-03-01 22:00,monday\n`);
    const three = await dropped(3);
    expect(three.filter((u: { status: string }) => u.status === 'duplicate')).toEqual([
      expect.objectContaining({ duplicateOf: monday.uploadId }),
    ]);
  });
});

describe("the brief's sample files", () => {
  const sample = (name: string) => readFileSync(new URL(`./fixtures/tendo/${name}`, import.meta.url));

  it('ingests hospital01 (20 rows) and hospital02 (21 rows, a date without a time refused; repeats take the newer)', async () => {
    const [first, second] = await upload(acme, [
      { name: 'hospital01.csv', content: sample('hospital01.csv') },
      { name: 'hospital02.csv', content: sample('hospital02.csv') },
    ]);
    expect(await settled(acme, first?.uploadId as string)).toMatchObject({
      status: 'completed',
      rows: { total: 20, ingested: 20, rejected: 0 },
    });
    expect(await settled(acme, second?.uploadId as string)).toMatchObject({
      status: 'completed_with_errors',
      rows: { total: 21, ingested: 20, rejected: 1 },
      errors: [{ line: 22, field: 'date_time', reason: 'is not a date and time this importer reads' }],
    });
    const john = (await records(acme, 'medical_record_number=MR1001')).items;
    expect(john).toHaveLength(6);
    expect(john[0]).toMatchObject({
      date_time_utc: '2025-03-15T16:15:00.000Z',
      source_file: 'hospital02.csv',
    });
  });
});

// Last, so that it reads the logs of every file above.
describe('privacy', () => {
  it('never writes names, notes, file names or field text to the logs or statuses', async () => {
    const logs = platform.rawLogs();
    expect(logs).toContain('upload rejected');
    for (const text of [
      'Lovelace',
      'Love"lace',
      'Secretova',
      'confidential',
      'secretnote',
      'Nadia',
      'hostile.csv',
      'nightly',
      'export.csv',
      'Zyxwq',
    ])
      expect(logs).not.toContain(text);
    const statuses = JSON.stringify(
      (await platform.app.inject({ method: 'GET', url: '/uploads?limit=100', headers: acme })).json(),
    );
    for (const text of ['Lovelace', 'Secretova', 'confidential', 'secretnote', 'Zyxwq'])
      expect(statuses).not.toContain(text);
  });
});
