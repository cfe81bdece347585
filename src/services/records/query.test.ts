import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../local/test-platform.js';
import { sealCursor } from '../../platform/http/cursor.js';
import { recordsClient } from './records-test-client.js';

/** The query API and the brief's front-end routes, over records ingested through the real pipeline. */
let platform: TestPlatform;
const acme = { 'x-api-key': 'acme-key-123' };
const globex = { 'x-api-key': 'globex-key-456' };
const csv = [
  'medical_record_number,first_name,last_name,date_time,doctors_notes,ward',
  'Q-1,Ada,Lovelace,2026-07-01 09:00,first visit,B2',
  'Q-1,Ada,Lovelace,2026-07-03 09:00,second visit,B2',
  'Q-1,Ada,Lovelace,2026-07-05 09:00,third visit,B3',
  'Q-2,Ada,Byron,2026-07-02 10:00,other Ada,C1',
  'Q-3,Charles,Babbage,2026-07-04 23:30,late,C1',
].join('\n');

/**
 * Two patients of one tenant seen at the same minute whose table keys share the first 24 bits of
 * the MD5 that dynalite 4.0.0 keyed index entries by (beside the index key): one entry overwrote
 * the other, and lists and name searches lost a visit (one in 100,000 of P3's benchmark). Patched
 * in `patches/dynalite+4.0.0.patch`; found here by a birthday search, so the pair provably collides.
 */
const tiedAt = { local: '2026-07-06 08:00', utc: '2026-07-06T07:00:00.000Z' };
/** dynalite's `hashPrefix` of a visit's table key (`pk` as the record store builds it, `sk`). */
const dynaliteHash = (mrn: string) =>
  createHash('md5')
    .update('Outliers')
    .update(`T#initech#MRN#${mrn}`)
    .update(tiedAt.utc)
    .digest('hex')
    .slice(0, 6);
function collidingRecordNumbers(): [string, string] {
  const seen = new Map<string, string>();
  for (let i = 0; ; i += 1) {
    const mrn = `C-${i}`;
    const hash = dynaliteHash(mrn);
    const twin = seen.get(hash);
    if (twin) return [twin, mrn];
    seen.set(hash, mrn);
  }
}
const twins = collidingRecordNumbers();
const initech = { 'x-api-key': 'initech-key-789' };
const umbrella = { 'x-api-key': 'umbrella-key-000' };
const header = 'medical_record_number,first_name,last_name,date_time,doctors_notes';

const client = recordsClient(() => platform);

/** Uploads a CSV through the API and waits until the pipeline has finished it. */
async function ingest(file: string, headers: Record<string, string>) {
  const [upload] = await client.upload(headers, [{ name: 'july.csv', content: file }]);
  expect(await client.settled(headers, upload?.uploadId as string)).toMatchObject({ status: 'completed' });
}

beforeAll(async () => {
  platform = await startTestPlatform({
    env: {
      SERVICES: 'records',
      SKIFF_LOCAL_TENANTS:
        'acme:Europe/London:acme-key-123,globex:America/New_York:globex-key-456,initech:Europe/London:initech-key-789,umbrella:America/Los_Angeles:umbrella-key-000',
    },
  });
  await ingest(csv, acme);
  await ingest(
    [header, ...twins.map((mrn) => `${mrn},Grace,Hopper,${tiedAt.local},same minute`)].join('\n'),
    initech,
  );
});
afterAll(() => platform.stop());

const get = (url: string, headers: Record<string, string> = acme) =>
  platform.app.inject({ method: 'GET', url, headers });
const numbers = (items: { medical_record_number: string; date_time: string }[]) =>
  items.map((r) => `${r.medical_record_number} ${r.date_time}`);

describe('GET /records', () => {
  it('answers flat snake_case records with the UTC time, the original text, the source and extra columns', async () => {
    const { items } = (await get('/records?medical_record_number=Q-3')).json();
    expect(items).toEqual([
      {
        medical_record_number: 'Q-3',
        first_name: 'Charles',
        last_name: 'Babbage',
        date_time: '2026-07-04 23:30',
        date_time_utc: '2026-07-04T22:30:00.000Z',
        doctors_notes: 'late',
        ward: 'C1',
        source_file: 'july.csv',
        upload_id: expect.any(String),
        ingested_at: expect.any(String),
      },
    ]);
  });

  it('stores a visit as one item: its fields, its keys, and its extra columns only when the file has some', async () => {
    const stored = async (tenant: string, mrn: string, utc: string) =>
      (
        await platform.aws.documents.send(
          new GetCommand({
            TableName: 'skiff-local-records-records',
            Key: { pk: `T#${tenant}#MRN#${mrn}`, sk: utc },
            ConsistentRead: true,
          }),
        )
      ).Item;
    const keys = ['pk', 'sk', 'lastNameKey', 'firstNameKey', 'tenantKey', 'tenant'];
    const fields = ['medical_record_number', 'first_name', 'last_name', 'date_time', 'date_time_utc'];
    const origin = ['doctors_notes', 'source_file', 'upload_id', 'ingested_at'];
    const withExtra = await stored('acme', 'Q-3', '2026-07-04T22:30:00.000Z');
    expect(Object.keys(withExtra ?? {}).sort()).toEqual([...keys, ...fields, ...origin, 'extra'].sort());
    expect(withExtra).toMatchObject({
      pk: 'T#acme#MRN#Q-3',
      sk: '2026-07-04T22:30:00.000Z',
      lastNameKey: 'T#acme#babbage',
      firstNameKey: 'T#acme#charles',
      tenantKey: 'T#acme',
      tenant: 'acme',
      extra: { ward: 'C1' },
    });
    const without = await stored('initech', twins[0], tiedAt.utc);
    expect(Object.keys(without ?? {}).sort()).toEqual([...keys, ...fields, ...origin].sort());
  });

  it('finds by last name or first name, case-insensitively, and by both', async () => {
    expect(numbers((await get('/records?last_name=LOVELACE')).json().items)).toHaveLength(3);
    expect(numbers((await get('/records?first_name=ada')).json().items).sort()).toEqual([
      'Q-1 2026-07-01 09:00',
      'Q-1 2026-07-03 09:00',
      'Q-1 2026-07-05 09:00',
      'Q-2 2026-07-02 10:00',
    ]);
    expect(numbers((await get('/records?first_name=Ada&last_name=Byron')).json().items)).toEqual([
      'Q-2 2026-07-02 10:00',
    ]);
  });

  it('narrows by time, taking dates and times in the tenant zone', async () => {
    const { items } = (await get('/records?medical_record_number=Q-1&from=2026-07-02&to=2026-07-04')).json();
    expect(numbers(items)).toEqual(['Q-1 2026-07-03 09:00']);
    // A date alone as `to` covers that whole day, so from and to the same date is that day.
    const day = (await get('/records?medical_record_number=Q-1&from=2026-07-03&to=2026-07-03')).json();
    expect(numbers(day.items)).toEqual(['Q-1 2026-07-03 09:00']);
    const through = (await get('/records?medical_record_number=Q-1&from=2026-07-02&to=2026-07-05')).json();
    expect(numbers(through.items)).toEqual(['Q-1 2026-07-03 09:00', 'Q-1 2026-07-05 09:00']);
    const all = (await get('/records?from=2026-07-04 00:00&to=2026-07-05 00:00')).json().items;
    expect(numbers(all)).toEqual(['Q-3 2026-07-04 23:30']);
  });

  it('finds a name whichever way its accents are encoded, composed or decomposed', async () => {
    await ingest([header, 'U-1,Jo\u0308rg,Mu\u0308ller,2026-07-01 10:00,n'].join('\n'), umbrella);
    for (const spelling of ['M\u00fcller', 'Mu\u0308ller', 'M\u00dcLLER']) {
      const found = await get(`/records?last_name=${encodeURIComponent(spelling)}`, umbrella);
      expect(numbers(found.json().items)).toEqual(['U-1 2026-07-01 10:00']);
    }
    const first = await get(`/records?first_name=${encodeURIComponent('J\u00f6rg')}`, umbrella);
    // The record keeps its name as the file wrote it.
    expect(first.json().items).toEqual([expect.objectContaining({ last_name: 'Mu\u0308ller' })]);
  });

  it('finds a name searched with spaces around it, as the importer trims the file', async () => {
    await ingest([header, 'U-2,Ipek, Weiss ,2026-07-02 10:00,n'].join('\n'), umbrella);
    for (const spelling of ['Weiss', ' Weiss ', 'WEISS  ']) {
      const found = await get(`/records?last_name=${encodeURIComponent(spelling)}`, umbrella);
      expect(numbers(found.json().items)).toEqual(['U-2 2026-07-02 10:00']);
    }
  });

  it("leaves a visit at the next day's midnight out of a day, and takes open-ended placeholder dates", async () => {
    const visits = ['2026-07-09 23:59', '2026-07-10 00:00', '2026-07-10 09:00'];
    await ingest([header, ...visits.map((at) => `M-1,Mid,Night,${at},n`)].join('\n'), umbrella);
    const on = async (query: string) =>
      numbers((await get(`/records?medical_record_number=M-1&${query}`, umbrella)).json().items);
    expect(await on('from=2026-07-09&to=2026-07-09')).toEqual(['M-1 2026-07-09 23:59']);
    expect(await on('to=2026-07-09')).toEqual(['M-1 2026-07-09 23:59']);
    expect(await on('from=2026/07/10&to=2026/07/10')).toEqual([
      'M-1 2026-07-10 00:00',
      'M-1 2026-07-10 09:00',
    ]);
    // The bounds clients send for "no start" and "no end", in a zone west of UTC.
    expect(await on('from=0001-01-01&to=9999-12-31')).toHaveLength(3);
    const items = await get('/items/', { ...umbrella, key: 'date_time', value: '2026-07-09' });
    expect(items.json().map((r: { date_time: string }) => r.date_time)).toEqual(['2026-07-09 23:59']);
  });

  it('pages with a cursor that shows no record number or name, and opens for its own tenant only', async () => {
    const first = (await get('/records?last_name=lovelace&limit=2')).json();
    expect(first.items).toHaveLength(2);
    const inside = Buffer.from(first.nextCursor, 'base64url').toString('latin1');
    for (const secret of ['Q-1', 'lovelace', 'acme']) expect(inside).not.toContain(secret);
    const elsewhere = await get(`/records?last_name=lovelace&limit=2&cursor=${first.nextCursor}`, globex);
    expect(elsewhere.statusCode).toBe(400);
    const flipped = `${first.nextCursor.slice(0, -2)}${first.nextCursor.endsWith('AA') ? 'BA' : 'AA'}`;
    expect((await get(`/records?last_name=lovelace&limit=2&cursor=${flipped}`)).statusCode).toBe(400);
    const second = (await get(`/records?last_name=lovelace&limit=2&cursor=${first.nextCursor}`)).json();
    expect(numbers([...first.items, ...second.items])).toEqual([
      'Q-1 2026-07-01 09:00',
      'Q-1 2026-07-03 09:00',
      'Q-1 2026-07-05 09:00',
    ]);
  });

  it('refuses a bad time or cursor with 400', async () => {
    expect((await get('/records?from=yesterday')).statusCode).toBe(400);
    const reversed = await get('/records?last_name=lovelace&from=2026-07-04&to=2026-07-03 23:59');
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json().errors).toEqual([{ field: 'querystring.from', message: 'is after to' }]);
    expect((await get('/records?cursor=abc')).statusCode).toBe(400);
    // Sealed with acme's own key, as a tenant who read this code could: the position is still checked.
    const cursor = (position: object) => sealCursor(position, acme['x-api-key']);
    const otherTenant = cursor({
      pk: 'T#globex#MRN#1',
      sk: '2026-01-01T00:00:00.000Z',
      lastNameKey: 'T#globex#x',
    });
    expect((await get(`/records?last_name=lovelace&cursor=${otherTenant}`)).statusCode).toBe(400);
    expect((await get(`/uploads?cursor=${cursor({ pk: 'T#globex', sk: 'UPLOAD#1' })}`)).statusCode).toBe(400);
  });
});

describe('visits that tie on an index key', () => {
  it('are all listed and found by name, whatever their table keys hash to', async () => {
    expect(dynaliteHash(twins[0])).toBe(dynaliteHash(twins[1]));
    const expected = twins.map((mrn) => `${mrn} ${tiedAt.local}`).sort();
    for (const query of ['', '?last_name=hopper', '?first_name=grace']) {
      const { items } = (await get(`/records${query}`, initech)).json();
      expect(numbers(items).sort()).toEqual(expected);
    }
  });

  it('page through both, one a page', async () => {
    const first = (await get('/records?limit=1', initech)).json();
    const second = (await get(`/records?limit=1&cursor=${first.nextCursor}`, initech)).json();
    expect(numbers([...first.items, ...second.items]).sort()).toEqual(
      twins.map((mrn) => `${mrn} ${tiedAt.local}`).sort(),
    );
  });
});

describe('GET /records/{medical_record_number}', () => {
  it("answers the patient's visits newest first", async () => {
    expect(numbers((await get('/records/Q-1')).json().items)).toEqual([
      'Q-1 2026-07-05 09:00',
      'Q-1 2026-07-03 09:00',
      'Q-1 2026-07-01 09:00',
    ]);
    expect((await get('/records/Q-1', globex)).json().items).toEqual([]);
  });
});

describe('documentation', () => {
  it('documents the records routes and their API key in OpenAPI', async () => {
    const document = (await platform.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(document.components.securitySchemes.apiKey).toEqual({
      type: 'apiKey',
      in: 'header',
      name: 'X-API-Key',
    });
    expect(document.paths['/records'].get.security).toEqual([{ apiKey: [] }]);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/uploads', '/items/', '/healthcheck/']),
    );
  });
});

describe("the brief's front end", () => {
  const items = (key: string, value: string, headers: Record<string, string> = acme) =>
    platform.app.inject({ method: 'GET', url: '/items/', headers: { ...headers, key, value } });

  it.each([
    ['medical_record_number', 'Q-2', ['Q-2 2026-07-02 10:00']],
    ['first_name', 'Charles', ['Q-3 2026-07-04 23:30']],
    ['last_name', 'Byron', ['Q-2 2026-07-02 10:00']],
    ['date_time', '2026-07-04', ['Q-3 2026-07-04 23:30']],
    ['date_time', '2026-07-03 09:00', ['Q-1 2026-07-03 09:00']],
  ])('answers key=%s value=%s as a plain array', async (key, value, expected) => {
    const response = await items(key, value);
    expect(response.statusCode).toBe(200);
    expect(numbers(response.json())).toEqual(expected);
  });

  it('gives every row the same columns in the same order, when files had other extra columns', async () => {
    await ingest(`${header},ward\nX-1,Ida,Cols,2026-08-01 09:00,a,W1\n`, umbrella);
    await ingest(`${header},bed,ward\nX-1,Ida,Cols,2026-08-02 09:00,b,7,W2\n`, umbrella);
    await ingest(`${header}\nX-1,Ida,Cols,2026-08-03 09:00,c\n`, umbrella);
    const rows = JSON.parse((await items('medical_record_number', 'X-1', umbrella)).body);
    expect(rows).toHaveLength(3);
    const [first] = rows.map((row: object) => Object.keys(row));
    for (const row of rows) expect(Object.keys(row)).toEqual(first);
    expect(first).toEqual(expect.arrayContaining(['ward', 'bed', 'upload_id']));
    expect(rows.map((row: { ward: string; bed: string }) => [row.ward, row.bed])).toEqual([
      ['W1', ''],
      ['W2', '7'],
      ['', ''],
    ]);
  });

  it('answers [] when nothing matches, and never another tenant', async () => {
    expect((await items('last_name', 'Nobody')).json()).toEqual([]);
    expect((await items('last_name', 'Lovelace', globex)).json()).toEqual([]);
  });

  it('answers a wrong or missing key with 403 {"detail":"Could not validate API key"}', async () => {
    for (const headers of [{}, { 'x-api-key': 'wrong' }] as Record<string, string>[]) {
      const response = await items('last_name', 'Lovelace', headers);
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ detail: 'Could not validate API key' });
    }
  });

  it('answers an unknown key field with 400', async () => {
    expect((await items('doctors_notes', 'x')).statusCode).toBe(400);
  });

  it('has a public health check', async () => {
    const response = await platform.app.inject({ method: 'GET', url: '/healthcheck/' });
    expect(response.json()).toEqual([{ status: 'ok' }]);
  });
});
