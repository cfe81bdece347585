import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../local/test-platform.js';

let platform: TestPlatform;

beforeAll(async () => {
  // One service is enough to exercise the platform, and keeps these expectations independent of the catalog.
  platform = await startTestPlatform({ env: { SKIFF_BODY_LIMIT_BYTES: '2048', SERVICES: 'greetings' } });
});
afterAll(() => platform.stop());

const expectProblem = (response: {
  statusCode: number;
  headers: Record<string, unknown>;
  json(): unknown;
}) => {
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = response.json() as Record<string, unknown>;
  expect(problem).toMatchObject({
    status: response.statusCode,
    type: expect.any(String),
    title: expect.any(String),
  });
  expect(problem.detail).toEqual(expect.any(String));
  return problem;
};

describe('error model', () => {
  it('answers an unknown route with a 404 problem', async () => {
    const response = await platform.app.inject({ method: 'GET', url: '/no/such/route?x=1' });
    expect(response.statusCode).toBe(404);
    const problem = expectProblem(response);
    expect(problem).toMatchObject({ title: 'Not Found', detail: 'No route takes GET at this path.' });
    // A path may carry personal data; a request no route took has no pattern to name.
    expect(problem).not.toHaveProperty('instance');
  });

  it.each([
    ['DELETE', '/hello/alice', 'GET, HEAD, PUT, OPTIONS'],
    ['POST', '/hello/alice?x=1', 'GET, HEAD, PUT, OPTIONS'],
    ['PUT', '/healthz', 'GET, HEAD, OPTIONS'],
    // Swagger UI's page: a plugin's `/` under a prefix, served with and without the slash.
    ['POST', '/docs', 'GET, HEAD, OPTIONS'],
    ['POST', '/docs/', 'GET, HEAD, OPTIONS'],
  ])(
    'answers %s %s, a path served for other methods, with a 405 problem and Allow',
    async (method, url, allow) => {
      const response = await platform.app.inject({ method: method as 'GET', url });
      expect(response.statusCode).toBe(405);
      expect(response.headers.allow).toBe(allow);
      const problem = expectProblem(response);
      expect(problem).toMatchObject({
        title: 'Method Not Allowed',
        detail: `This path takes ${allow}; not ${method}.`,
      });
      expect(JSON.stringify(problem)).not.toContain('alice');
      expect(response.headers['x-request-id']).toEqual(expect.any(String));
    },
  );

  it('answers OPTIONS with the methods a path takes, and an unknown path with a 404', async () => {
    const served = await platform.app.inject({ method: 'OPTIONS', url: '/hello/alice' });
    expect(served.statusCode).toBe(204);
    expect(served.headers.allow).toBe('GET, HEAD, PUT, OPTIONS');
    expect(served.body).toBe('');
    const unknown = await platform.app.inject({ method: 'OPTIONS', url: '/hello/alice/more' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers.allow).toBeUndefined();
  });

  const putJson = (payload: string) =>
    platform.app.inject({
      method: 'PUT',
      url: '/hello/alice',
      headers: { 'content-type': 'application/json' },
      payload,
    });

  it.each([
    ['malformed JSON', '{"dateOfBirth": "1990-01-01"'],
    ['an empty JSON body', ''],
    ['a prototype-pollution body', '{"dateOfBirth":"1990-01-01","__proto__":{"admin":true}}'],
  ])('answers %s with a 400 problem, not a crash', async (_case, payload) => {
    const response = await putJson(payload);
    expect(response.statusCode).toBe(400);
    expectProblem(response);
  });

  // The 415 names only the media type sent, never other text of the header.
  it.each([
    ['text/plain', 'text/plain'],
    ['application/xml', 'application/xml'],
    ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded'],
    ['application/xml; charset=utf-8', 'application/xml'],
    ['jane.doe@example.org', 'this content type'],
  ])('answers a %j body with a 415 problem naming %s', async (contentType, named) => {
    const response = await platform.app.inject({
      method: 'PUT',
      url: '/hello/alice',
      headers: { 'content-type': contentType },
      payload: 'dateOfBirth=1990-01-01',
    });
    expect(response.statusCode).toBe(415);
    expect(expectProblem(response).detail).toBe(`This route takes application/json, not ${named}.`);
  });

  it('answers an oversized body with a 413 problem', async () => {
    const response = await putJson(JSON.stringify({ dateOfBirth: '1990-01-01', padding: 'x'.repeat(4096) }));
    expect(response.statusCode).toBe(413);
    expect(expectProblem(response).detail).toBe('The body is larger than the 2048 bytes this route accepts.');
  });
});

describe('request ids', () => {
  it('echoes a caller-supplied X-Request-Id and logs it on every line of that request', async () => {
    const requestId = 'trace-1234.abc';
    const response = await platform.app.inject({
      method: 'GET',
      url: '/hello/nobody',
      headers: { 'x-request-id': requestId },
    });
    expect(response.headers['x-request-id']).toBe(requestId);
    const lines = platform.logs().filter((line) => line.requestId === requestId);
    // One line per request, with what Fastify's two lines carried: method and route, status, time.
    expect(lines.map((line) => line.msg)).toEqual(['request completed']);
    expect(lines[0]).toMatchObject({
      service: 'greetings',
      level: 'info',
      req: { method: 'GET', route: '/hello/:username' },
      res: { statusCode: 404 },
      responseTime: expect.any(Number),
    });
  });

  it('logs a request whose client went away before the answer, which has no completion line', async () => {
    const base = await platform.app.listen({ port: 0, host: '127.0.0.1' });
    const client = (await import('node:net')).connect(Number(new URL(base).port), '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    // Headers promise a body that never comes; then the client hangs up.
    client.write(
      'PUT /hello/ada HTTP/1.1\r\nHost: x\r\nX-Request-Id: gone-1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.destroy();
    await expect
      .poll(() =>
        platform
          .logs()
          .filter((line) => line.requestId === 'gone-1')
          .map((line) => line.msg),
      )
      .toContain('request aborted');
  });

  it('puts the X-Ray trace id on every line of a request that has one', async () => {
    const traced = await platform.app.inject({
      method: 'GET',
      url: '/hello/nobody',
      headers: {
        'x-request-id': 'traced-1',
        'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      },
    });
    expect(traced.statusCode).toBe(404);
    const lines = platform.logs().filter((line) => line.requestId === 'traced-1');
    expect(lines).toHaveLength(1);
    for (const line of lines) expect(line.traceId).toBe('1-5759e988-bd862e3fe1be46a994272793');
  });

  it('writes no request line for a health probe that answers', async () => {
    const probe = await platform.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'probe-1' },
    });
    expect(probe.json()).toEqual({ status: 'ok' });
    // The next request's line is written, so the probe's would have been by then.
    await platform.app.inject({
      method: 'GET',
      url: '/hello/nobody',
      headers: { 'x-request-id': 'after-probe-1' },
    });
    expect(platform.logs().filter((line) => line.requestId === 'after-probe-1')).toHaveLength(1);
    expect(platform.logs().filter((line) => line.requestId === 'probe-1')).toEqual([]);
  });

  it('generates an id when none is given, or when the given one is unsafe', async () => {
    const none = await platform.app.inject({ method: 'GET', url: '/healthz' });
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const unsafe = await platform.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'bad id\u0007 with spaces' },
    });
    expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes JSON log lines with level, time, msg and service', async () => {
    await platform.app.inject({ method: 'GET', url: '/hello/nobody' });
    for (const line of platform.logs()) {
      expect(line).toMatchObject({
        level: expect.any(String),
        time: expect.any(String),
        msg: expect.any(String),
      });
      expect(line.service).toEqual(expect.any(String));
    }
  });
});

describe('documentation', () => {
  it('serves OpenAPI 3.1 with the greetings routes', async () => {
    const response = await platform.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths['/hello/{username}'])).toEqual(['put', 'get']);
    expect(document.paths['/healthz']).toBeUndefined();
  });

  it.each(['/docs/', '/swagger/'])('serves Swagger UI at %s', async (url) => {
    const response = await platform.app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.body).toContain('swagger-ui');
  });

  it('serves the same document at /swagger.json, where the users brief had it', async () => {
    const [openapi, swagger] = await Promise.all(
      ['/openapi.json', '/swagger.json'].map((url) => platform.app.inject({ method: 'GET', url })),
    );
    expect(swagger?.json()).toEqual(openapi?.json());
  });
});

describe('health', () => {
  it('says the process is alive', async () => {
    const response = await platform.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('says it is ready when DynamoDB and S3 answer', async () => {
    const response = await platform.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ready',
      checks: {
        'dynamodb:skiff-local-greetings-birthdays': 'ok',
        s3: 'ok',
      },
    });
  });
});

describe('local mode', () => {
  it('tells where the engines are and what resources exist', async () => {
    const response = await platform.app.inject({ method: 'GET', url: '/_local' });
    expect(response.json()).toEqual({
      endpoints: platform.endpoints,
      // Records is not mounted here: no tenants were made, so none are named.
      tenants: [],
      tables: { greetings: { birthdays: 'skiff-local-greetings-birthdays' } },
      buckets: { greetings: {} },
      topics: { greetings: {} },
    });
    expect(platform.endpoints.dynamodb).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('lists published notifications, in order', async () => {
    expect((await platform.app.inject({ method: 'GET', url: '/_local/notifications' })).json()).toEqual([]);
    await platform.inbox.publish({ topic: 'test', subject: 'Hi', message: 'hello', attributes: { a: '1' } });
    const entries = (await platform.app.inject({ method: 'GET', url: '/_local/notifications' })).json();
    expect(entries).toEqual([
      {
        topic: 'test',
        subject: 'Hi',
        message: 'hello',
        attributes: { a: '1' },
        messageId: expect.any(String),
        publishedAt: expect.any(String),
      },
    ]);
  });
});

describe('when the table is gone', () => {
  let broken: TestPlatform;
  beforeAll(async () => {
    broken = await startTestPlatform({ env: { SERVICES: 'greetings' } });
    await broken.aws.dynamodb.send(new DeleteTableCommand({ TableName: 'skiff-local-greetings-birthdays' }));
  });
  afterAll(() => broken.stop());

  it('answers with a 500 problem that hides the cause, and logs the cause', async () => {
    const response = await broken.app.inject({
      method: 'GET',
      url: '/hello/alice',
      headers: { 'x-request-id': 'broken-1' },
    });
    expect(response.statusCode).toBe(500);
    expect(expectProblem(response)).toMatchObject({
      title: 'Internal Server Error',
      detail: 'The server could not complete the request.',
    });
    expect(response.body).not.toContain('ResourceNotFound');
    const error = broken.logs().find((line) => line.requestId === 'broken-1' && line.level === 'error');
    expect(JSON.stringify(error)).toContain('ResourceNotFoundException');
  });

  it('is not ready, and names the failing check', async () => {
    const response = await broken.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(expectProblem(response).checks).toEqual({
      'dynamodb:skiff-local-greetings-birthdays': 'ResourceNotFoundException',
      s3: 'ok',
    });
  });
});

describe('when the database stops answering', () => {
  const engine = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  let cut: TestPlatform;
  beforeAll(async () => {
    engine.listen(0, '127.0.0.1');
    await once(engine, 'listening');
    const { port } = engine.address() as AddressInfo;
    cut = await startTestPlatform({
      env: { SERVICES: 'greetings', AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}` },
    });
    expect(
      (await cut.app.inject({ method: 'PUT', url: '/hello/alice', payload: { dateOfBirth: '1990-01-02' } }))
        .statusCode,
    ).toBe(204);
    engine.close();
    engine.closeAllConnections();
    await once(engine, 'close');
  });
  afterAll(() => cut.stop());

  it('answers 503 with Retry-After once the SDK has given up, and logs the fault', async () => {
    const response = await cut.app.inject({
      method: 'GET',
      url: '/hello/alice',
      headers: { 'x-request-id': 'cut-1' },
    });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(expectProblem(response)).toMatchObject({
      title: 'Service Unavailable',
      detail: 'A service this API depends on is busy or unreachable. Try again in a moment.',
      instance: '/hello/:username',
    });
    expect(response.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    const error = cut.logs().find((line) => line.requestId === 'cut-1' && line.level === 'error');
    expect(error).toMatchObject({ msg: 'dependency unavailable' });
    expect(JSON.stringify(error)).toContain('ECONNREFUSED');
  });
});
