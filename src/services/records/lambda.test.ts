import { PutObjectCommand } from '@aws-sdk/client-s3';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { provisionResources } from '../../local/provision.js';
import { lambdaEnvironment, startTestPlatform, type TestPlatform } from '../../local/test-platform.js';
import { worstCaseCallMs } from '../../platform/aws/clients.js';
import { loadConfig } from '../../platform/config.js';
import { createS3QueueHandler } from '../../platform/lambda-workers.js';
import { resolveResources } from '../../platform/resources.js';
import { dynamoRecordStore } from './record-store.js';
import { recordsResources } from './resources.js';
import { recordsService } from './service.js';
import { dynamoTenantStore } from './tenant-store.js';
import { dynamoUploadStore } from './upload-store.js';

/** The ingester Lambda as SQS invokes it with S3 notifications, against the embedded engines. */
let platform: TestPlatform;
let lambda: ReturnType<typeof lambdaEnvironment>;
let handler: ReturnType<typeof createS3QueueHandler>;
const bucket = 'skiff-local-records-files';

const sqsMessage = (messageId: string, body: unknown) => ({
  messageId,
  receiptHandle: 'AQEB…',
  body: JSON.stringify(body),
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1795280000000' },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:skiff-local-records-ingest',
  awsRegion: 'eu-west-1',
});
const s3Notification = (key: string) => ({
  Records: [
    {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'eu-west-1',
      eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` }, object: { key, size: 100 } },
    },
  ],
});

const resources = resolveResources('local', 'records', recordsResources);

beforeAll(async () => {
  // The records service is not mounted here, so nothing in-process reacts to S3 events: the Lambda
  // handler is the only ingester. The platform only provides the engines.
  platform = await startTestPlatform({ env: { SERVICES: 'greetings' } });
  await provisionResources(platform.aws, [resources], pino({ level: 'silent' }));
  await dynamoTenantStore(platform.aws.documents, resources.tables.tenants.name).create({
    id: 'acme',
    timeZone: 'Europe/London',
  });
  lambda = lambdaEnvironment(platform);
  handler = createS3QueueHandler(recordsService, 'files', lambda.env);
});
afterAll(async () => {
  lambda.restore();
  await platform.stop();
});

describe('ingester Lambda (S3 → SQS → Lambda)', () => {
  it('ingests the object named in the notification, decoding the key as S3 encodes it', async () => {
    const key = 'incoming/acme/daily drop/visits 1.csv';
    await platform.aws.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: 'medical_record_number,first_name,last_name,date_time,doctors_notes\nL-1,Lam,Bda,2026-01-01 10:00,n\n',
      }),
    );
    const result = await handler({
      Records: [sqsMessage('m-1', s3Notification('incoming/acme/daily+drop/visits+1.csv'))],
    });
    expect(result).toEqual({ batchItemFailures: [] });
    const records = dynamoRecordStore(platform.aws.documents, resources.tables.records.name);
    const found = await records.query('acme', { medical_record_number: 'L-1' }, 10);
    expect(found.items).toEqual([
      expect.objectContaining({ source_file: 'visits 1.csv', date_time_utc: '2026-01-01T10:00:00.000Z' }),
    ]);
  });

  it('stops before its timeout: the file being read goes back uncounted, the messages after it to SQS', async () => {
    const header = 'medical_record_number,first_name,last_name,date_time,doctors_notes';
    const rows = Array.from({ length: 30_000 }, (_, i) => `LONG-${i},Lo,Ng,2026-01-01 10:00,n`);
    const put = (key: string, body: string) =>
      platform.aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    await put('incoming/acme/long.csv', `${header}\n${rows.join('\n')}\n`);
    await put('incoming/acme/after.csv', `${header}\nAFTER-1,Af,Ter,2026-01-02 10:00,n\n`);
    const event = {
      Records: [
        sqsMessage('long', s3Notification('incoming/acme/long.csv')),
        sqsMessage('after', s3Notification('incoming/acme/after.csv')),
      ],
    };
    const margin = 3 * worstCaseCallMs(loadConfig(lambda.env).awsTimeouts);
    // The invocation's end, as the handler sets it, comes once the first rows are written.
    const ending = new AbortController();
    const timeout = vi.spyOn(AbortSignal, 'timeout').mockReturnValueOnce(ending.signal);
    const send = DynamoDBDocumentClient.prototype.send as (command: object) => Promise<unknown>;
    const writes = vi.spyOn(DynamoDBDocumentClient.prototype, 'send').mockImplementation(async function (
      this: DynamoDBDocumentClient,
      command: object,
    ) {
      const answer = await send.call(this, command);
      if (command instanceof BatchWriteCommand) ending.abort();
      return answer;
    } as never);
    try {
      const result = await handler(event, { getRemainingTimeInMillis: () => margin + 60_000 });
      expect(timeout).toHaveBeenCalledWith(60_000);
      expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'after' }] });
    } finally {
      writes.mockRestore();
      timeout.mockRestore();
    }
    const uploads = dynamoUploadStore(platform.aws.documents, resources.tables.uploads.name);
    const named = async (fileName: string) =>
      (await uploads.list('acme', 20)).uploads.find((u) => u.fileName === fileName);
    // Put back as it was, no try counted: a stop on purpose is no fault.
    const stopped = await named('long.csv');
    expect(stopped).toMatchObject({ status: 'queued' });
    expect(stopped?.attempts ?? 0).toBe(0);
    expect(await named('after.csv')).toBeUndefined();

    expect(await handler(event, { getRemainingTimeInMillis: () => 15 * 60_000 })).toEqual({
      batchItemFailures: [],
    });
    expect(await named('long.csv')).toMatchObject({ status: 'completed', rows: { ingested: 30_000 } });
    expect(await named('after.csv')).toMatchObject({ status: 'completed' });
  });

  it('reports only the failing message for retry, and acknowledges S3 test events', async () => {
    const result = await handler({
      Records: [
        { ...sqsMessage('bad', {}), body: 'not json' },
        sqsMessage('test', { Service: 'Amazon S3', Event: 's3:TestEvent' }),
      ],
    });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
  });
});
