import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { cloudContext } from '../cloud-context.js';
import { loadConfig } from '../config.js';
import { resolveResources, type TopicSpec } from '../resources.js';
import type { ServiceModule } from '../service.js';
import { type AwsClientMakers, awsClientsFrom, clientOptionsFrom, MissingClientError } from './client-set.js';
import { allClientMakers, worstCaseCallMs } from './clients.js';
import { dynamodbMaker } from './makers/dynamodb.js';
import { resourceChecks } from './readiness.js';

const options = {
  region: 'eu-west-1',
  endpoints: {},
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  timeouts: { connectMs: 1000, requestMs: 2000 },
  maxSockets: 20,
};

/** A maker whose clients only record that they were built and destroyed. */
function fakeMaker(name: string, destroyed: string[]) {
  const fake = (label: string) => ({
    name: label,
    destroy: () => destroyed.push(label),
    middlewareStack: { remove: () => true },
  });
  return {
    client: vi.fn((_settings: unknown) => fake(name)),
    documents: vi.fn((_settings: unknown) => fake('documents')),
  };
}

describe('the AWS clients of a runtime', () => {
  it('builds each client on first use, once, and destroys only those built', () => {
    const destroyed: string[] = [];
    const dynamodb = fakeMaker('dynamodb', destroyed);
    const s3 = fakeMaker('s3', destroyed);
    const aws = awsClientsFrom(options, { dynamodb, s3 } as unknown as AwsClientMakers);
    expect(dynamodb.client).not.toHaveBeenCalled();
    expect(aws.documents).toBe(aws.documents);
    // The document client has a DynamoDB client of its own (see below).
    expect(dynamodb.client).not.toHaveBeenCalled();
    expect(aws.dynamodb).toBe(aws.dynamodb);
    expect(dynamodb.client).toHaveBeenCalledTimes(1);
    const settings = {
      common: {
        region: 'eu-west-1',
        maxAttempts: 3,
        requestHandler: {
          connectionTimeout: 1000,
          requestTimeout: 2000,
          throwOnRequestTimeout: true,
          httpsAgent: { keepAlive: true, maxSockets: 20 },
        },
      },
      // A stream is bounded by how long it stalls, not by how long it takes.
      streaming: {
        requestHandler: {
          connectionTimeout: 1000,
          socketTimeout: 30_000,
          httpsAgent: { keepAlive: true, maxSockets: 20 },
        },
      },
    };
    expect(dynamodb.client.mock.calls[0]?.[0]).toMatchObject(settings);
    expect(dynamodb.client.mock.calls[0]?.[0]).not.toHaveProperty('streaming.requestHandler.requestTimeout');
    expect(dynamodb.documents.mock.calls[0]?.[0]).toMatchObject(settings);
    expect(s3.client).not.toHaveBeenCalled();
    aws.destroy();
    expect(destroyed.sort()).toEqual(['documents', 'dynamodb']);
  });

  it('lets a stream stall as long as its reader may wait on one call, all tries, and never less than 30 s', () => {
    const s3 = fakeMaker('s3', []);
    const timeouts = { connectMs: 1000, requestMs: 20_000 };
    const aws = awsClientsFrom({ ...options, timeouts }, { s3 } as unknown as AwsClientMakers);
    void aws.s3;
    const settings = s3.client.mock.calls[0]?.[0] as { streaming: { requestHandler: object } };
    expect(settings.streaming.requestHandler).toMatchObject({ socketTimeout: worstCaseCallMs(timeouts) });
    expect(worstCaseCallMs(timeouts)).toBeGreaterThan(30_000);
  });

  it("takes every call limit from the runtime's configuration, and credentials only when given", () => {
    const config = loadConfig({
      AWS_REGION: 'us-east-2',
      SKIFF_AWS_CONNECT_TIMEOUT_MS: '700',
      SKIFF_AWS_REQUEST_TIMEOUT_MS: '900',
      SKIFF_AWS_MAX_SOCKETS: '7',
    });
    const endpoints = { dynamodb: 'http://127.0.0.1:1' };
    expect(clientOptionsFrom(config, endpoints)).toStrictEqual({
      region: 'us-east-2',
      endpoints,
      timeouts: { connectMs: 700, requestMs: 900 },
      maxSockets: 7,
    });
    const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
    const log = { warn: () => {} };
    expect(clientOptionsFrom(config, endpoints, { credentials, log })).toMatchObject({ credentials, log });
  });

  it("resolves each command's middleware once per client, but not the document client's, which refuses it", () => {
    const aws = awsClientsFrom(options, allClientMakers);
    for (const client of [aws.dynamodb, aws.s3, aws.sns, aws.sqs, aws.sfn])
      expect(client.config.cacheMiddleware).toBe(true);
    // lib-dynamodb throws on a client whose handlers are cached, so this would not even build.
    expect(aws.documents.config.cacheMiddleware).toBe(false);
    expect(aws.documents.config).not.toBe(aws.dynamodb.config);
    aws.destroy();
  });

  it("leaves out the SDK's logger middleware, which filters each call for a logger that discards it", () => {
    const aws = awsClientsFrom(options, allClientMakers);
    for (const client of [aws.dynamodb, aws.documents, aws.s3, aws.sns, aws.sqs, aws.sfn]) {
      const stack = client.middlewareStack.identify();
      expect(stack.some((entry) => entry.startsWith('serializerMiddleware'))).toBe(true);
      expect(stack.filter((entry) => entry.startsWith('loggerMiddleware'))).toEqual([]);
    }
    aws.destroy();
  });

  it("closes the document client's own DynamoDB client when the set is destroyed", () => {
    const aws = awsClientsFrom(options, { dynamodb: dynamodbMaker });
    const sockets = aws.documents.config.requestHandler as { destroy(): void };
    const closed = vi.spyOn(sockets, 'destroy');
    aws.destroy();
    expect(closed).toHaveBeenCalledTimes(1);
  });

  it('refuses a document-client command on the low-level client, where the cache would resend the first', async () => {
    const aws = awsClientsFrom(options, { dynamodb: dynamodbMaker });
    await expect(
      aws.dynamodb.send(new GetCommand({ TableName: 't', Key: { id: 'a' } }) as never),
    ).rejects.toThrow('GetCommand is a document-client command: send it with aws.documents');
    aws.destroy();
  });

  it('refuses a client it was given no maker for, naming it and the ones it has', () => {
    const aws = awsClientsFrom(options, { dynamodb: dynamodbMaker });
    expect(() => aws.s3).toThrow(MissingClientError);
    expect(() => aws.sns).toThrow(
      'No sns client here: this runtime was given the client makers of dynamodb only. A service that ' +
        'calls sns must name its maker in its `clients` (src/platform/aws/makers/sns.ts).',
    );
    // Spreading or logging the set builds nothing and throws nothing.
    expect(() => ({ ...aws })).not.toThrow();
    aws.destroy();
  });
});

describe('readiness checks', () => {
  const resources = resolveResources('dev', 'users', {
    tables: { users: { partitionKey: { name: 'pk', type: 'S' } } },
    buckets: { avatars: {} },
    topics: {},
  });

  it('need the S3 maker for a bucket, and say so at start', () => {
    const aws = awsClientsFrom(options, { dynamodb: dynamodbMaker });
    expect(() => resourceChecks(aws, [resources])).toThrow(/No s3 client here/);
    expect(resourceChecks(aws, [{ ...resources, buckets: {} }]).map((c) => c.name)).toEqual([
      'dynamodb:skiff-dev-users-users',
    ]);
  });
});

describe('the cloud context', () => {
  const service = (name: string, topics: Record<string, TopicSpec>): ServiceModule => ({
    name,
    resources: { tables: {}, buckets: {}, topics },
    clients: { dynamodb: dynamodbMaker },
    create: () => ({ routes: async () => {} }),
  });
  const config = loadConfig({ SKIFF_STAGE: 'dev', AWS_REGION: 'eu-west-1' });
  const log = { warn: () => {} };

  it('builds only the clients its services name', () => {
    const context = cloudContext(config, log, [service('greetings', {})]);
    expect(Object.keys(context.aws.makers)).toEqual(['dynamodb']);
    expect(() => context.aws.s3).toThrow(/No s3 client here/);
    context.aws.destroy();
  });

  it('without SNS, refuses to publish; with topics but no SNS maker, refuses to start', async () => {
    const context = cloudContext(config, log, [service('greetings', {})]);
    await expect(
      context.notifier.publish({ topic: 'skiff-dev-x', message: 'hello', attributes: {} }),
    ).rejects.toThrow(/No sns client here/);
    expect(() => cloudContext(config, log, [service('donations', { 'thank-you': {} })])).toThrow(
      /No sns client here/,
    );
  });
});
