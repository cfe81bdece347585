import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { type AwsClients, createAwsClients, sdkMaxAttempts, worstCaseCallMs } from './clients.js';

/**
 * The limits `createAwsClients` puts on every call, against the real SDK and a local endpoint that
 * behaves as a faulty or busy service would.
 */
const timeouts = { connectMs: 200, requestMs: 300 };
let server: Server | undefined;
let aws: AwsClients | undefined;

afterEach(() => {
  aws?.destroy();
  server?.closeAllConnections();
  server?.close();
});

/** An endpoint on a free port that answers with `listener`, and clients whose DynamoDB is it. */
async function endpoint(
  listener: RequestListener,
  maxSockets = 128,
): Promise<{ aws: AwsClients; server: Server }> {
  server = createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  aws = createAwsClients({
    region: 'eu-west-1',
    endpoints: { dynamodb: `http://127.0.0.1:${port}` },
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    timeouts,
    maxSockets,
  });
  return { aws, server };
}

const getItem = new GetItemCommand({ TableName: 'ttt', Key: { k: { S: 'a' } } });

/** The bound every lease is sized by (`worstCaseCallMs`), when the network or the service hangs. */
describe('a call to an endpoint that takes the request and never answers', () => {
  const calls = {
    'the DynamoDB client': (clients: AwsClients) => clients.dynamodb.send(getItem),
    'the document client': (clients: AwsClients) =>
      clients.documents.send(new GetCommand({ TableName: 'ttt', Key: { k: 'a' } })),
  };

  for (const [client, call] of Object.entries(calls)) {
    it(`ends with a TimeoutError after every try has had its time, within the worst case, on ${client}`, async () => {
      let requests = 0;
      const { aws } = await endpoint(() => {
        requests += 1;
      });
      const started = performance.now();
      const error = await call(aws).then(
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

describe("a client's connections", () => {
  it('are kept open between calls and never more than SKIFF_AWS_MAX_SOCKETS at once; the calls beyond wait their turn', async () => {
    let connections = 0;
    let open = 0;
    let mostOpen = 0;
    const { aws, server } = await endpoint((_request, response) => {
      // Answers a little later, so the calls overlap: an item-less GetItem, as DynamoDB sends it.
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        response.end('{}');
      }, 20);
    }, 4);
    server.on('connection', (socket) => {
      connections += 1;
      open += 1;
      mostOpen = Math.max(mostOpen, open);
      socket.on('close', () => {
        open -= 1;
      });
    });
    const answers = await Promise.all(Array.from({ length: 30 }, () => aws.dynamodb.send(getItem)));
    expect(answers.every((answer) => answer.Item === undefined)).toBe(true);
    expect(mostOpen).toBe(4);
    expect(connections).toBe(4);
  });
});
