import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CreatedObject } from '../platform/service.js';
import { startEmbeddedEngines } from './engines.js';
import { type S3QueueEvents, type S3QueueEventsOptions, startS3QueueEvents } from './s3-queue-events.js';
import { startTestPlatform } from './test-platform.js';
import { freePort } from './test-process.js';

/**
 * The consumer against fake SQS and S3 clients that record the exact commands sent (the moto test,
 * `npm run test:engines`, runs the same code against a real engine). A receive with nothing scripted
 * waits, like a long poll, until its abort signal fires.
 */
const queueUrl = 'http://127.0.0.1:4566/000000000000/skiff-local-records-files-events';
const queueArn = 'arn:aws:sqs:eu-west-1:000000000000:skiff-local-records-files-events';
const bucket = 'skiff-local-records-files';

type Answer = unknown | Error;

function fakeAws(receives: Answer[], failFirst: Record<string, Error> = {}) {
  const sent: [string, unknown][] = [];
  const failures = new Map(Object.entries(failFirst));
  const send = async (command: { input: unknown }, options?: { abortSignal?: AbortSignal }) => {
    const name = command.constructor.name;
    sent.push([name, command.input]);
    const failure = failures.get(name);
    if (failure) {
      failures.delete(name);
      throw failure;
    }
    switch (name) {
      case 'CreateQueueCommand':
        return { QueueUrl: queueUrl };
      case 'GetQueueAttributesCommand':
        return { Attributes: { QueueArn: queueArn } };
      case 'ReceiveMessageCommand': {
        const next = receives.shift();
        if (next instanceof Error) throw next;
        if (next) return next;
        return new Promise((_resolve, reject) => {
          const signal = options?.abortSignal;
          const abort = () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
          if (signal?.aborted) abort();
          signal?.addEventListener('abort', abort, { once: true });
        });
      }
      default:
        return {};
    }
  };
  return { sqs: { send } as unknown as SQSClient, s3: { send } as unknown as S3Client, sent };
}

const notification = (key: string, eTag?: string) =>
  JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: bucket }, object: { key, size: 10, ...(eTag && { eTag }) } },
      },
    ],
  });
const message = (id: string, body: string, receives = 1): Message => ({
  MessageId: id,
  ReceiptHandle: `receipt-${id}`,
  Body: body,
  Attributes: { ApproximateReceiveCount: String(receives) },
});
const testEvent = JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: bucket });

function capturedLog() {
  let text = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), text: () => text };
}

const wiring: [string, unknown][] = [
  ['CreateQueueCommand', { QueueName: 'skiff-local-records-files-events' }],
  ['GetQueueAttributesCommand', { QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }],
  [
    'SetQueueAttributesCommand',
    {
      QueueUrl: queueUrl,
      Attributes: {
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'S3ObjectCreated',
              Effect: 'Allow',
              Principal: { Service: 's3.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: queueArn,
              Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${bucket}` } },
            },
          ],
        }),
        VisibilityTimeout: '60',
      },
    },
  ],
  [
    'PutBucketNotificationConfigurationCommand',
    {
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Id: 'skiff-local-records-files-events',
            QueueArn: queueArn,
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'incoming/' }] } },
          },
        ],
      },
    },
  ],
];
const receive: [string, unknown] = [
  'ReceiveMessageCommand',
  {
    QueueUrl: queueUrl,
    MaxNumberOfMessages: 10,
    WaitTimeSeconds: 1,
    MessageSystemAttributeNames: ['ApproximateReceiveCount'],
  },
];
const deleted = (id: string): [string, unknown] => [
  'DeleteMessageCommand',
  { QueueUrl: queueUrl, ReceiptHandle: `receipt-${id}` },
];

let running: S3QueueEvents | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

function start(aws: ReturnType<typeof fakeAws>, handle: S3QueueEventsOptions['handle'], log = capturedLog()) {
  return startS3QueueEvents({
    ...aws,
    bucket,
    queueName: 'skiff-local-records-files-events',
    prefix: 'incoming/',
    handle,
    log: log.log,
    waitTimeSeconds: 1,
    retryDelayMs: 5,
  });
}

describe('S3 events through SQS (local consumer)', () => {
  it('wires the bucket to its queue, hands over created objects, and deletes only what succeeded', async () => {
    const aws = fakeAws([
      {
        Messages: [
          message(
            'm-1',
            notification('incoming/acme/daily+drop/visits+1.csv', 'd41d8cd98f00b204e9800998ecf8427e'),
          ),
          message('m-2', 'not json'),
          message('m-3', notification('incoming/acme/poison.csv')),
          message('m-4', testEvent),
        ],
      },
    ]);
    const handled: CreatedObject[] = [];
    const log = capturedLog();
    running = await start(
      aws,
      async (object) => {
        handled.push(object);
        if (object.key.includes('poison')) throw new Error(`cannot read ${object.key}`);
      },
      log,
    );
    await vi.waitFor(() =>
      expect(aws.sent.filter(([name]) => name === 'ReceiveMessageCommand')).toHaveLength(2),
    );
    await running.stop();

    expect(aws.sent).toEqual([...wiring, receive, deleted('m-1'), deleted('m-4'), receive]);
    expect(handled).toEqual([
      { key: 'incoming/acme/daily drop/visits 1.csv', eTag: 'd41d8cd98f00b204e9800998ecf8427e' },
      { key: 'incoming/acme/poison.csv' },
    ]);
    const warnings = log
      .text()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .filter((line) => line.level === 40);
    expect(warnings).toEqual([
      expect.objectContaining({ messageId: 'm-2', fault: 'MalformedS3EventMessage', receives: 1 }),
      expect.objectContaining({ messageId: 'm-3', fault: 'Error', receives: 1 }),
    ]);
    // Keys name files, which are personal data: no log line carries one, not even in an error.
    expect(log.text()).not.toMatch(/visits|poison|daily/);
  });

  it('without a prefix in the catalog, asks for the events of every key', async () => {
    const aws = fakeAws([]);
    running = await startS3QueueEvents({
      ...aws,
      bucket,
      queueName: 'skiff-local-records-files-events',
      handle: async () => {},
      log: capturedLog().log,
      waitTimeSeconds: 1,
    });
    await running.stop();
    const put = aws.sent.find(([name]) => name === 'PutBucketNotificationConfigurationCommand');
    expect(put?.[1]).toEqual({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          { Id: 'skiff-local-records-files-events', QueueArn: queueArn, Events: ['s3:ObjectCreated:*'] },
        ],
      },
    });
  });

  it('on stop, aborts the long poll at once', async () => {
    const aws = fakeAws([]);
    running = await start(aws, async () => {});
    await vi.waitFor(() => expect(aws.sent).toContainEqual(receive));
    const started = Date.now();
    await running.stop();
    expect(Date.now() - started).toBeLessThan(500);
    expect(aws.sent).toEqual([...wiring, receive]);
  });

  it('on stop, waits for the handler in progress, deletes its message, and leaves the rest of the batch', async () => {
    const aws = fakeAws([
      {
        Messages: [
          message('m-1', notification('incoming/acme/a.csv')),
          message('m-2', notification('incoming/acme/b.csv')),
        ],
      },
    ]);
    let release = () => {};
    const inProgress = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handled: string[] = [];
    running = await start(aws, async ({ key }) => {
      handled.push(key);
      await inProgress;
    });
    await vi.waitFor(() => expect(handled).toEqual(['incoming/acme/a.csv']));
    let stopped = false;
    const stopping = running.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(handled).toEqual(['incoming/acme/a.csv']);
    expect(aws.sent).toEqual([...wiring, receive, deleted('m-1')]);
  });

  it('never throws on SQS errors: it logs them without keys and tries again', async () => {
    const unavailable = Object.assign(new Error('connect ECONNREFUSED'), { name: 'ServiceUnavailable' });
    const aws = fakeAws([unavailable, { Messages: [message('m-1', notification('incoming/acme/a.csv'))] }], {
      CreateQueueCommand: Object.assign(new Error('queue service down'), { name: 'InternalError' }),
      DeleteMessageCommand: Object.assign(new Error('receipt handle expired'), {
        name: 'ReceiptHandleIsInvalid',
      }),
    });
    const handled: string[] = [];
    const log = capturedLog();
    running = await start(aws, async ({ key }) => void handled.push(key), log);
    await vi.waitFor(() =>
      expect(aws.sent.filter(([name]) => name === 'ReceiveMessageCommand')).toHaveLength(3),
    );
    await running.stop();

    expect(aws.sent).toEqual([
      ['CreateQueueCommand', { QueueName: 'skiff-local-records-files-events' }],
      ...wiring,
      receive,
      receive,
      deleted('m-1'),
      receive,
    ]);
    expect(handled).toEqual(['incoming/acme/a.csv']);
    const lines = log
      .text()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    expect(lines.filter((line) => line.level >= 40).map((line) => [line.level, line.fault])).toEqual([
      [40, 'InternalError'],
      [50, 'ServiceUnavailable'],
      [40, 'ReceiptHandleIsInvalid'],
    ]);
    expect(log.text()).not.toContain('incoming/acme');
  });

  it('drops a message that failed on its last allowed receive, as a dead-letter queue would take it', async () => {
    const aws = fakeAws([{ Messages: [message('m-1', 'not json', 5)] }]);
    const log = capturedLog();
    running = await start(aws, async () => {}, log);
    await vi.waitFor(() => expect(aws.sent).toContainEqual(deleted('m-1')));
    await running.stop();
    expect(log.text()).toContain('"msg":"S3 event failed too often; dropped"');
  });
});

describe('the local platform with an external S3', () => {
  /** s3rver and dynalite started apart from the platform stand in for LocalStack, which has SQS too. */
  async function externalPlatform(env: Record<string, string>) {
    const dataDir = await mkdtemp(join(tmpdir(), 'skiff-external-'));
    const engines = await startEmbeddedEngines({ host: '127.0.0.1', dynamodbPort: 0, s3Port: 0, dataDir });
    const platform = await startTestPlatform({
      env: {
        SERVICES: 'records',
        AWS_ENDPOINT_URL_DYNAMODB: engines.endpoints.dynamodb,
        AWS_ENDPOINT_URL_S3: engines.endpoints.s3,
        ...env,
      },
      s3Events: { waitTimeSeconds: 1, retryDelayMs: 50 },
    });
    return {
      platform,
      stop: async () => {
        await platform.stop();
        await engines.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }

  it('says so when no SQS endpoint is set, and serves anyway', async () => {
    const { platform, stop } = await externalPlatform({});
    try {
      expect(platform.logs()).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          bucket: 'files',
          msg: expect.stringMatching(/^no SQS endpoint \(AWS_ENDPOINT_URL_SQS or AWS_ENDPOINT_URL\)/),
        }),
      );
      expect((await platform.app.inject('/readyz')).statusCode).toBe(200);
    } finally {
      await stop();
    }
  });

  it('starts and stops cleanly while SQS is unreachable, naming the queue from the catalog', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const { platform, stop } = await externalPlatform({ AWS_ENDPOINT_URL_SQS: closed });
    try {
      expect((await platform.app.inject('/readyz')).statusCode).toBe(200);
      await vi.waitFor(() =>
        expect(platform.logs()).toContainEqual(
          expect.objectContaining({
            level: 'error',
            queue: 'skiff-local-records-files-events',
            consumer: 'records',
          }),
        ),
      );
    } finally {
      const started = Date.now();
      await stop();
      expect(Date.now() - started).toBeLessThan(2000);
    }
  });
});
