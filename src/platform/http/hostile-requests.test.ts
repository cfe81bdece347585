import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../local/test-platform.js';

/**
 * Every documented operation, sent what hostile or broken clients send: malformed JSON, malformed
 * multipart, wrong content types, huge and odd path parameters, bad percent-encoding. Whatever the
 * route, the answer is never a 5xx, the connection is never dropped, and every error is a problem.
 */
let platform: TestPlatform;
let operations: {
  method: string;
  path: string;
  takesBody: boolean;
  answers: Record<string, { content?: unknown }>;
}[];
const apiKey = 'fuzz-key';

beforeAll(async () => {
  platform = await startTestPlatform({ env: { SKIFF_LOCAL_TENANTS: `fuzz:UTC:${apiKey}` } });
  const spec = (await platform.app.inject({ url: '/openapi.json' })).json() as {
    paths: Record<
      string,
      Record<string, { requestBody?: unknown; responses?: Record<string, { content?: unknown }> }>
    >;
  };
  operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      takesBody: operation.requestBody !== undefined,
      answers: operation.responses ?? {},
    })),
  );
});
afterAll(() => platform.stop());

/** Answers that are bytes, not JSON (images, CSV), or nothing at all (204): no schema to compile. */
const notJson = [
  'GET /users/{id}/avatar',
  'GET /avatars/{fileName}',
  'GET /uploads/{uploadId}/report',
  'PUT /hello/{username}',
];

describe('serialization', () => {
  it('has a response schema for every JSON answer, so Fastify compiles its serializer', () => {
    const missing = operations
      .filter(({ method, path }) => !notJson.includes(`${method} ${path}`))
      .filter(
        ({ answers }) =>
          !Object.entries(answers).some(([code, answer]) => code.startsWith('2') && answer.content),
      )
      .map(({ method, path }) => `${method} ${path}`);
    expect(missing).toEqual([]);
  });

  it('has no anyOf or oneOf in an answer, which fast-json-stringify serializes by running Ajv per branch', () => {
    const choices = (schema: unknown, at: string): string[] => {
      if (typeof schema !== 'object' || schema === null) return [];
      return Object.entries(schema).flatMap(([key, value]) => [
        ...(key === 'anyOf' || key === 'oneOf' ? [`${at}/${key}`] : []),
        ...choices(value, `${at}/${key}`),
      ]);
    };
    const found = operations.flatMap(({ method, path, answers }) =>
      Object.entries(answers)
        .filter(([code]) => code.startsWith('2'))
        .flatMap(([code, answer]) => choices(answer.content, `${method} ${path} ${code}`)),
    );
    expect(found).toEqual([]);
  });
});

const boundary = 'fuzzboundary';
const multipart = (body: string) => ({
  'content-type': `multipart/form-data; boundary=${boundary}`,
  body,
});
const filePart = (field: string) =>
  `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`;

/** Bodies for routes that take one; each is broken in one way. */
const bodies: [string, { 'content-type'?: string; body: string | Buffer }][] = [
  ['malformed JSON', { 'content-type': 'application/json', body: '{"name": "x", ' }],
  ['JSON with trailing commas', { 'content-type': 'application/json', body: '[{"a": 1,},]' }],
  ['a JSON string', { 'content-type': 'application/json', body: '"just a string"' }],
  [
    'JSON whose bytes are not UTF-8 (Latin-1)',
    { 'content-type': 'application/json', body: Buffer.from('[{"name":"Jos\xe9"}]', 'latin1') },
  ],
  [
    'JSON in a charset other than UTF-8',
    { 'content-type': 'application/json; charset=utf-16le', body: '[]' },
  ],
  ['XML', { 'content-type': 'application/xml', body: '<a/>' }],
  ['plain text', { 'content-type': 'text/plain', body: 'hello' }],
  ['no content type', { body: 'hello' }],
  ['multipart without a boundary', { 'content-type': 'multipart/form-data', body: 'x' }],
  ['multipart cut off inside a part', multipart(`${filePart('file')}\x89PNG\r\n\x1a\n`)],
  ['multipart cut off inside a CSV part', multipart(`${filePart('file')}a,b,c\n1,2`)],
  [
    'multipart whose part headers never end',
    multipart(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n${'X-Pad: y\r\n'.repeat(2000)}`,
    ),
  ],
  ['multipart with only the closing boundary', multipart(`--${boundary}--\r\n`)],
  [
    'multipart with a 300-character boundary',
    {
      'content-type': `multipart/form-data; boundary=${'b'.repeat(300)}`,
      body: `--${'b'.repeat(300)}\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nx\r\n--${'b'.repeat(300)}--\r\n`,
    },
  ],
];

/** Values for each path parameter. */
const parameters: [string, string][] = [
  ['huge', 'a'.repeat(5000)],
  ['bad percent-encoding', '%zz'],
  ['a lone percent', '%'],
  ['an encoded NUL', '%00'],
  ['an encoded slash and dots', '..%2F..%2Fetc'],
  ['overlong UTF-8', '%C0%AF'],
  ['emoji', encodeURIComponent('😀'.repeat(200))],
];

function expectProblemOrSuccess(
  response: { statusCode: number; headers: Record<string, unknown> },
  label: string,
) {
  expect(response.statusCode, label).toBeLessThan(500);
  expect(response.headers['x-request-id'], label).toEqual(expect.any(String));
  if (response.statusCode >= 400) {
    expect(response.headers['content-type'], label).toMatch(/^application\/problem\+json/);
  }
}

describe('hostile requests to every documented operation', () => {
  it('finds the documented operations', () => {
    expect(operations.length).toBeGreaterThan(15);
  });

  it.each(parameters)(
    'answers path parameters that are %s with no 5xx, and problems for errors',
    async (_name, value) => {
      for (const { method, path } of operations.filter((o) => o.path.includes('{'))) {
        const url = path.replace(/\{[^}]+\}/g, value);
        const response = await platform.app.inject({
          method: method as 'GET',
          url,
          headers: { 'x-api-key': apiKey },
        });
        expectProblemOrSuccess(response, `${method} ${path}`);
      }
    },
  );

  it.each(bodies)('answers %s with a 4xx problem on every route that takes a body', async (_name, sent) => {
    const withBodies = operations.filter((o) => o.takesBody);
    expect(withBodies.length).toBeGreaterThan(4);
    for (const { method, path } of withBodies) {
      const url = path.replace(/\{[^}]+\}/g, 'fuzz');
      const headers = {
        'x-api-key': apiKey,
        ...(sent['content-type'] && { 'content-type': sent['content-type'] }),
      };
      const response = await platform.app.inject({
        method: method as 'POST',
        url,
        headers,
        payload: sent.body,
      });
      expectProblemOrSuccess(response, `${method} ${path}`);
      expect(response.statusCode, `${method} ${path}`).toBeGreaterThanOrEqual(400);
    }
  });

  it('never echoes a path value in an error: usernames and donor ids may be e-mail addresses', async () => {
    const email = 'jane.doe@example.org';
    const paths = operations.filter((o) => o.path.includes('{'));
    for (const { method, path } of paths) {
      for (const url of [
        path.replace(/\{[^}]+\}/g, email),
        `${path.replace(/\{[^}]+\}/g, email)}/no-such-thing`,
      ]) {
        const response = await platform.app.inject({
          method: method as 'GET',
          url,
          headers: { 'x-api-key': apiKey },
          ...(method !== 'GET' && { payload: { bogus: true } }),
        });
        if (response.statusCode < 400) continue;
        expect(response.body, `${method} ${url}`).not.toContain('jane.doe');
      }
    }
  });

  it('answers a bad percent-encoding in any URL with a 400 problem that does not echo the path', async () => {
    const response = await platform.app.inject({ url: '/hello/%zz' });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['x-request-id']).toEqual(expect.any(String));
    expect(response.body).not.toContain('%zz');
    expect(response.json()).toMatchObject({ status: 400, detail: expect.stringContaining('not valid') });
  });

  it('keeps the connection: a real client gets answers to malformed requests over one socket', async () => {
    const address = await platform.app.listen({ port: 0, host: '127.0.0.1' });
    for (const [, sent] of bodies) {
      const response = await fetch(`${address}/user`, {
        method: 'POST',
        headers: sent['content-type'] ? { 'content-type': sent['content-type'] } : {},
        body: sent.body,
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      await response.arrayBuffer();
    }
  });
});
