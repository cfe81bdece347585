import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpApiEvent } from '../../src/local/api-gateway-event.js';
import { provisionResources } from '../../src/local/provision.js';
import { lambdaEnvironment, startTestPlatform, type TestPlatform } from '../../src/local/test-platform.js';
import { createHttpApiHandler, type HttpApiHandler } from '../../src/platform/lambda-http.js';
import { resolveResources } from '../../src/platform/resources.js';
import type { ServiceModule } from '../../src/platform/service.js';
import { donationsApi } from '../../src/services/donations/api-service.js';
import { donationsResources } from '../../src/services/donations/resources.js';
import { greetingsService } from '../../src/services/greetings/service.js';
import { ordersApi } from '../../src/services/orders/api-service.js';
import { ordersResources } from '../../src/services/orders/resources.js';
import { recordsApi } from '../../src/services/records/api-service.js';
import { multipartForm } from '../../src/services/records/records-test-client.js';
import { recordsResources } from '../../src/services/records/resources.js';
import { dynamoTenantStore } from '../../src/services/records/tenant-store.js';
import { recordsUploads } from '../../src/services/records/uploads-service.js';
import { keptBundle } from '../lambda-bundle-cache.js';

/**
 * The bundles as deployed, schemas precompiled (decision 0016), driven against the embedded engines:
 * each answers real requests, and refuses bad ones exactly as the same service compiled at run time
 * does (`npm start`), body for body.
 */
// As Lambda gives it: the ingester stops when only the time to let go is left of its 5 minutes.
const context = { awsRequestId: 'bundle', getRemainingTimeInMillis: () => 300_000 } as Context;
const bundled: Record<string, { handler: (event: unknown, context: Context) => Promise<unknown> }> = {};
const source: Record<string, HttpApiHandler> = {};
const parts: Record<string, ServiceModule> = {
  'greetings-api': greetingsService as ServiceModule,
  'donations-api': donationsApi as ServiceModule,
  'orders-api': ordersApi as ServiceModule,
  'records-api': recordsApi as ServiceModule,
  'records-uploads': recordsUploads as ServiceModule,
};
let platform: TestPlatform;
let lambda: ReturnType<typeof lambdaEnvironment>;
let taskDir: string;
const saved = { ...process.env };

beforeAll(async () => {
  // Only greetings is mounted: nothing in-process reacts to records' S3 events, the ingester bundle does.
  platform = await startTestPlatform({ env: { SERVICES: 'greetings' } });
  await provisionResources(
    platform.aws,
    [
      resolveResources('local', 'donations', donationsResources),
      resolveResources('local', 'orders', ordersResources),
      resolveResources('local', 'records', recordsResources),
    ],
    pino({ level: 'silent' }),
  );
  const tenants = dynamoTenantStore(platform.aws.documents, 'skiff-local-records-tenants');
  await tenants.create({ id: 'acme', timeZone: 'Europe/London' });
  await tenants.addKey('acme', 'acme-key');
  lambda = lambdaEnvironment(platform);
  // Settings other than the build's: a precompiled schema must not depend on them.
  Object.assign(process.env, lambda.env, {
    SKIFF_SNS_TOPIC_ARNS: 'arn:aws:sns:eu-west-1:123456789012:skiff-local-donations-thank-you',
    SKIFF_THANK_YOU_THRESHOLD: '3',
    SKIFF_MAX_CSV_BYTES: '5000',
  });
  // Outside the repository (whose package.json says "module"), as in /var/task.
  taskDir = mkdtempSync(join(tmpdir(), 'skiff-bundles-'));
  for (const name of [...Object.keys(parts), 'records-ingest']) {
    // The very bundle the stacks stage (built by the test run's setup, or now).
    mkdirSync(join(taskDir, name));
    copyFileSync(join(keptBundle(name), 'index.js'), join(taskDir, name, 'index.js'));
    bundled[name] = createRequire(join(taskDir, name, 'index.js'))('./index.js');
    const part = parts[name];
    if (part) source[name] = createHttpApiHandler([part], process.env);
  }
}, 180_000);
afterAll(async () => {
  process.env = saved;
  lambda?.restore();
  await platform?.stop();
  if (taskDir) rmSync(taskDir, { recursive: true, force: true });
});

type Answer = { statusCode: number; body?: string; headers?: Record<string, string> };
const call = async (name: string, event: APIGatewayProxyEventV2) =>
  (await bundled[name]?.handler(event, context)) as Answer;
const json = (answer: Answer) => JSON.parse(answer.body ?? 'null');
const withKey = (event: APIGatewayProxyEventV2) => ({
  ...event,
  headers: { ...event.headers, 'x-api-key': 'acme-key' },
});
const withQuery = (event: APIGatewayProxyEventV2, query: string) => ({
  ...event,
  rawQueryString: query,
  queryStringParameters: Object.fromEntries(new URLSearchParams(query)),
});

describe('the bundles on the embedded engines', () => {
  it('greetings saves a birthday and greets', async () => {
    const saved = await call(
      'greetings-api',
      httpApiEvent('PUT', '/hello/ada', { dateOfBirth: '1815-12-10' }),
    );
    expect(saved.statusCode).toBe(204);
    const greeted = await call('greetings-api', httpApiEvent('GET', '/hello/ada'));
    expect(greeted.statusCode).toBe(200);
    expect(json(greeted).message).toMatch(
      /^Hello, ada! Your birthday is in \d+ day\(s\)|^Hello, ada! Happy birthday!$/,
    );
  });

  it('donations records a donation and answers its count', async () => {
    const answer = await call(
      'donations-api',
      httpApiEvent('POST', '/donations', { donorId: 'dora', amount: 1250, currency: 'GBP' }),
    );
    expect(answer.statusCode).toBe(201);
    expect(json(answer)).toMatchObject({ donorId: 'dora', donationCount: 1, thankYouSent: false });
  });

  it('orders stores orders and answers one', async () => {
    const order = { record_id: 'bundle-1', parameter_1: 'abc', parameter_2: 4 };
    expect((await call('orders-api', httpApiEvent('POST', '/orders', [order]))).statusCode).toBe(201);
    const found = await call('orders-api', httpApiEvent('GET', '/orders/bundle-1'));
    expect(found.statusCode).toBe(200);
    expect(json(found)).toMatchObject({ ...order, status: 'pending' });
  });

  it('records: the uploads bundle takes a file, the ingester bundle ingests it, the API bundle finds the rows', async () => {
    const csv =
      'medical_record_number,first_name,last_name,date_time,doctors_notes\nB-1,Ada,Bundle,2026-01-01 10:00,n\n';
    const form = multipartForm([{ name: 'visits.csv', content: csv }]);
    const upload = await call('records-uploads', {
      ...withKey(httpApiEvent('POST', '/uploads')),
      headers: { ...withKey(httpApiEvent('POST', '/uploads')).headers, ...form.headers },
      body: form.payload.toString('base64'),
      isBase64Encoded: true,
    });
    expect(upload.statusCode).toBe(202);
    expect(json(upload)).toEqual([expect.objectContaining({ fileName: 'visits.csv', status: 'queued' })]);
    const { Contents = [] } = await platform.aws.s3.send(
      new ListObjectsV2Command({ Bucket: 'skiff-local-records-files', Prefix: 'incoming/acme/' }),
    );
    const records = Contents.map(({ Key }) => ({
      messageId: String(Key),
      body: JSON.stringify({
        Records: [
          {
            eventVersion: '2.1',
            eventSource: 'aws:s3',
            awsRegion: 'eu-west-1',
            eventName: 'ObjectCreated:Put',
            s3: { bucket: { name: 'skiff-local-records-files' }, object: { key: Key, size: csv.length } },
          },
        ],
      }),
    }));
    expect(records).toHaveLength(1);
    expect(await bundled['records-ingest']?.handler({ Records: records }, context)).toEqual({
      batchItemFailures: [],
    });
    const found = await call(
      'records-api',
      withQuery(withKey(httpApiEvent('GET', '/records')), 'last_name=Bundle'),
    );
    expect(found.statusCode).toBe(200);
    expect(json(found)).toMatchObject({
      timeZone: 'Europe/London',
      items: [expect.objectContaining({ medical_record_number: 'B-1' })],
      nextCursor: null,
    });
    const [{ uploadId }] = json(upload);
    const status = await call('records-api', withKey(httpApiEvent('GET', `/uploads/${uploadId}`)));
    expect(json(status)).toMatchObject({ uploadId, status: 'completed', rows: { ingested: 1 } });
  });

  it('records: the API bundle has no upload route, which API Gateway sends to the uploads bundle', async () => {
    const upload = await call('records-api', withKey(httpApiEvent('POST', '/uploads')));
    // It lists uploads (GET), so the path is known there: a 405 whose `Allow` has no POST.
    expect(upload.statusCode).toBe(405);
    expect(upload.headers?.allow).toBe('GET, HEAD, OPTIONS');
  });
});

const badRequests: [string, string, APIGatewayProxyEventV2][] = [
  ['greetings-api', 'a name with digits', httpApiEvent('PUT', '/hello/al1ce', { dateOfBirth: '1990-01-01' })],
  [
    'greetings-api',
    'a date that is not one',
    httpApiEvent('PUT', '/hello/ada', { dateOfBirth: '1990-02-30' }),
  ],
  [
    'greetings-api',
    'an unknown field',
    httpApiEvent('PUT', '/hello/ada', { dateOfBirth: '1990-01-01', x: 1 }),
  ],
  [
    'donations-api',
    'a negative amount',
    httpApiEvent('POST', '/donations', { donorId: 'd', amount: -1, currency: 'GBP' }),
  ],
  [
    'donations-api',
    'an amount as text',
    httpApiEvent('POST', '/donations', { donorId: 'd', amount: '1', currency: 'GBP' }),
  ],
  ['donations-api', 'no fields', httpApiEvent('POST', '/donations', {})],
  ['donations-api', 'a page size of 0', withQuery(httpApiEvent('GET', '/donors/d/donations'), 'limit=0')],
  ['orders-api', 'no orders', httpApiEvent('POST', '/orders', [])],
  [
    'orders-api',
    'an empty id',
    httpApiEvent('POST', '/orders', [{ record_id: '', parameter_1: 'a', parameter_2: 1 }]),
  ],
  ['orders-api', 'an object, not a list', httpApiEvent('POST', '/orders', { record_id: 'x' })],
  ['records-api', 'no API key', httpApiEvent('GET', '/records')],
  ['records-api', 'a page size of 0', withQuery(withKey(httpApiEvent('GET', '/records')), 'limit=0')],
  [
    'records-api',
    'a date that is not one',
    withQuery(withKey(httpApiEvent('GET', '/records')), 'from=yesterday'),
  ],
  [
    'records-api',
    'a cursor it never gave',
    withQuery(withKey(httpApiEvent('GET', '/records')), 'cursor=abc'),
  ],
  ['records-uploads', 'no API key', httpApiEvent('POST', '/uploads')],
  ['records-uploads', 'a JSON body, not a form', withKey(httpApiEvent('POST', '/uploads', { file: 'x' }))],
  [
    'records-uploads',
    'a report of an id it never gave',
    withKey(httpApiEvent('GET', '/uploads/nope/report')),
  ],
];

describe('bad requests, bundled and compiled at run time', () => {
  it.each(badRequests)('%s: %s gets the same answer', async (name, _what, event) => {
    const fromBundle = await call(name, event);
    const fromSource = (await source[name]?.(event, context)) as Answer;
    expect(fromBundle.statusCode).toBeGreaterThanOrEqual(400);
    expect(fromBundle.statusCode).toBeLessThan(500);
    expect(fromBundle.headers?.['content-type']).toMatch(/application\/problem\+json/);
    expect({ status: fromBundle.statusCode, body: json(fromBundle) }).toEqual({
      status: fromSource.statusCode,
      body: json(fromSource),
    });
  });
});
