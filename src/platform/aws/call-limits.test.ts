import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type AwsClientOptions,
  type AwsClients,
  createAwsClients,
  sdkMaxAttempts,
  worstCaseCallMs,
} from './clients.js';

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

/** An endpoint on a free port that answers with `listener`, and clients whose DynamoDB and S3 are it. */
async function endpoint(
  listener: RequestListener,
  overrides: Partial<Pick<AwsClientOptions, 'maxSockets' | 'log' | 'timeouts'>> = {},
): Promise<{ aws: AwsClients; server: Server }> {
  server = createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  aws = createAwsClients({
    region: 'eu-west-1',
    endpoints: { dynamodb: url, s3: url },
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    timeouts,
    maxSockets: 128,
    ...overrides,
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
    const { aws, server } = await endpoint(
      (_request, response) => {
        // Answers a little later, so the calls overlap: an item-less GetItem, as DynamoDB sends it.
        setTimeout(() => {
          response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
          response.end('{}');
        }, 20);
      },
      { maxSockets: 4 },
    );
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

describe('a client whose connections are all busy', () => {
  /** An endpoint that holds its first request `holdMs` and answers the others at once. */
  const holdingFirst = (holdMs: number) => {
    let requests = 0;
    const listener: RequestListener = (_request, response) => {
      requests += 1;
      setTimeout(() => response.end(), requests === 1 ? holdMs : 0);
    };
    return { listener, requests: () => requests };
  };
  const head = (clients: AwsClients) => clients.s3.send(new HeadBucketCommand({ Bucket: 'bucket' }));

  it('ends a call that waits for a connection longer than its connect timeout, every try, before it is sent', async () => {
    const endpointSide = holdingFirst(2_500);
    const { aws } = await endpoint(endpointSide.listener, { maxSockets: 1 });
    const held = head(aws);
    const error = await head(aws).then(
      () => undefined,
      (e: unknown) => e,
    );
    // The SDK counts the wait for a free connection as connecting: a full pool sheds calls.
    expect(error).toMatchObject({
      name: 'TimeoutError',
      message: expect.stringMatching(/establish a connection/),
    });
    expect(endpointSide.requests()).toBe(1);
    await held;
  });

  it("says so once, as a JSON line through the runtime's logger, not on the console", async () => {
    const warn = vi.fn();
    const console = vi.spyOn(globalThis.console, 'warn');
    // The SDK looks at a call's pool once the call has waited its connect time and 2 s (a stream
    // has no request deadline). Calls waiting for a connection end at their connect timeout, so
    // two are queued shortly before the held one's look.
    const connectMs = 1_000;
    const lookAtMs = 2_000 + connectMs;
    const endpointSide = holdingFirst(lookAtMs + 300);
    const { aws } = await endpoint(endpointSide.listener, {
      maxSockets: 1,
      log: { warn },
      timeouts: { ...timeouts, connectMs },
    });
    const held = head(aws);
    await new Promise((resolve) => setTimeout(resolve, lookAtMs - 600));
    await Promise.all([held, head(aws), head(aws)]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(
      { sdk: expect.stringContaining('socket usage at capacity=1 and 2 additional requests are enqueued') },
      'AWS SDK warning',
    );
    expect(console).not.toHaveBeenCalled();
    console.mockRestore();
  }, 15_000);
});
