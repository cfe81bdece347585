import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsClients, createAwsClients, sdkMaxAttempts, worstCaseCallMs } from './clients.js';

/**
 * The bound every lease is sized by (`worstCaseCallMs`), against the real SDK and an endpoint that
 * takes each request and never answers: the way a black-holed network or a stuck service looks.
 */
describe('a call to an endpoint that never answers', () => {
  const timeouts = { connectMs: 200, requestMs: 300 };
  let server: Server;
  let aws: AwsClients;
  let requests = 0;

  beforeAll(async () => {
    server = createServer(() => {
      requests += 1;
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    aws = createAwsClients({
      region: 'eu-west-1',
      endpoints: { dynamodb: `http://127.0.0.1:${port}` },
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      timeouts,
    });
  });

  afterAll(() => {
    aws.destroy();
    server.closeAllConnections();
    server.close();
  });

  const calls = {
    'the DynamoDB client': () =>
      aws.dynamodb.send(new GetItemCommand({ TableName: 'ttt', Key: { k: { S: 'a' } } })),
    'the document client': () => aws.documents.send(new GetCommand({ TableName: 'ttt', Key: { k: 'a' } })),
  };

  for (const [client, call] of Object.entries(calls)) {
    it(`ends with a TimeoutError after every try has had its time, within the worst case, on ${client}`, async () => {
      requests = 0;
      const started = performance.now();
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      const tookMs = performance.now() - started;
      expect(error).toMatchObject({ name: 'TimeoutError' });
      // Each try reached the endpoint and was cut off at its deadline, then tried again.
      expect(requests).toBe(sdkMaxAttempts);
      expect(tookMs).toBeGreaterThanOrEqual(sdkMaxAttempts * timeouts.requestMs - 50);
      expect(tookMs).toBeLessThan(worstCaseCallMs(timeouts));
    });
  }
});
