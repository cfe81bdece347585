import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCredentials } from '../../local/engines.js';
import { startTestPlatform, type TestPlatform } from '../../local/test-platform.js';
import { createS3QueueHandler } from '../../platform/lambda.js';
import { recordsService } from './service.js';

/** The ingester Lambda as SQS invokes it with S3 notifications, against the embedded engines. */
let platform: TestPlatform;
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

beforeAll(async () => {
  // No in-process events: this platform only holds the data, the Lambda does the ingesting.
  platform = await startTestPlatform({
    env: { SERVICES: 'records', SKIFF_LOCAL_TENANTS: 'acme:Europe/London:acme-key-123' },
  });
  process.env.AWS_ACCESS_KEY_ID = localCredentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = localCredentials.secretAccessKey;
  handler = createS3QueueHandler(recordsService, 'files', {
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_DYNAMODB: platform.endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: platform.endpoints.s3,
    SKIFF_STAGE: 'local',
    LOG_LEVEL: 'silent',
  });
});
afterAll(async () => {
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
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
    await platform.runTask('records', 'upload-recovery'); // the in-process event may have begun it; let both settle
    const result = await handler({
      Records: [sqsMessage('m-1', s3Notification('incoming/acme/daily+drop/visits+1.csv'))],
    });
    expect(result).toEqual({ batchItemFailures: [] });
    const found = await platform.app.inject({
      method: 'GET',
      url: '/records/L-1',
      headers: { 'x-api-key': 'acme-key-123' },
    });
    expect(found.json().items).toEqual([expect.objectContaining({ source_file: 'visits 1.csv' })]);
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
