import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { localCredentials } from './engines.js';
import { startMotoServer } from './moto-server.js';
import { freePort, type Running, startSkiff } from './test-process.js';

/**
 * `npm start` against moto_server, as against LocalStack: no embedded engines, so S3 events reach
 * the records service only through the SQS queue the platform wires to the bucket. Run by
 * `npm run test:engines` when `moto_server` is on the PATH, not by `npm test`.
 */
let moto: { endpoint: string; stop(): void };
let endpoint: string;
let dataDir: string;
let skiff: Running;
let base: string;
const client = { region: 'eu-west-1', credentials: localCredentials };

beforeAll(async () => {
  moto = await startMotoServer();
  endpoint = moto.endpoint;
  dataDir = await mkdtemp(join(tmpdir(), 'skiff-moto-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  skiff = await startSkiff('scripts/start.mjs', {
    PORT: String(port),
    SERVICES: 'records',
    AWS_ENDPOINT_URL: endpoint,
    SKIFF_LOCAL_TENANTS: 'acme:Europe/London:acme-key-123',
    SKIFF_DATA_DIR: dataDir,
  });
});
afterAll(async () => {
  if (skiff?.process.exitCode === null) skiff.process.kill('SIGKILL');
  moto?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm start against moto (S3 → SQS → consumer)', () => {
  it('ingests a file dropped into the bucket within seconds, through the queue', async () => {
    expect(skiff.output()).toContain('"msg":"S3 events arrive through SQS"');
    const s3 = new S3Client({ ...client, endpoint, forcePathStyle: true });
    const dropped = Date.now();
    await s3.send(
      new PutObjectCommand({
        Bucket: 'skiff-local-records-files',
        Key: 'incoming/acme/x.csv',
        Body: 'medical_record_number,first_name,last_name,date_time,doctors_notes\nM-1,Ada,Moto,2026-01-01 10:00,fine\n',
      }),
    );
    s3.destroy();

    const uploads = async () => {
      const response = await fetch(`${base}/uploads`, { headers: { 'x-api-key': 'acme-key-123' } });
      expect(response.status).toBe(200);
      return ((await response.json()) as { items: { fileName: string; status: string }[] }).items;
    };
    // The recovery task would find it only after a minute: seconds mean the event came through SQS.
    await vi.waitFor(
      async () =>
        expect(await uploads()).toEqual([
          expect.objectContaining({ fileName: 'x.csv', status: 'completed' }),
        ]),
      { timeout: 10_000, interval: 200 },
    );
    expect(Date.now() - dropped).toBeLessThan(10_000);

    // Handled messages are deleted: moto's test event and the object-created event are both gone.
    // The consumer deletes a message once its handler has returned, just after the upload's final
    // status is written, so the queue is read until it is empty (or the wait runs out).
    const sqs = new SQSClient({ ...client, endpoint });
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: 'skiff-local-records-files-events' }),
    );
    const counts = async () =>
      (
        await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        )
      ).Attributes;
    try {
      await vi.waitFor(
        async () =>
          expect(await counts()).toEqual({
            ApproximateNumberOfMessages: '0',
            ApproximateNumberOfMessagesNotVisible: '0',
          }),
        { timeout: 5_000, interval: 100 },
      );
    } finally {
      sqs.destroy();
    }
  });

  it('stops at once on SIGTERM, aborting the 20-second long poll', async () => {
    const signalled = Date.now();
    skiff.process.kill('SIGTERM');
    expect(await skiff.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(5_000);
    expect(skiff.output()).toContain('"msg":"stopped"');
    // The consumer logs ids only: the file's name appears in no log line.
    expect(skiff.output()).not.toContain('x.csv');
  });
});
