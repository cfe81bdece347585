import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpApiHandler } from '../../src/platform/lambda.js';
import { buildApp } from '../app.js';

/**
 * The Lambda code as deployed: the esbuild bundle from a real synth, loaded on its own (outside this
 * package, as in /var/task) and driven with API Gateway v2 events. Catches what the TypeScript source
 * cannot: files a dependency reads from node_modules at run time, ESM/CJS mix-ups, missing modules.
 */
const event = (method: string, path: string, body?: string) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: path,
  rawQueryString: '',
  headers: {
    host: 'abc.execute-api.eu-west-1.amazonaws.com',
    ...(body && { 'content-type': 'application/json' }),
  },
  requestContext: {
    http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'test' },
    requestId: 'bundle-test',
    routeKey: '$default',
    stage: '$default',
  },
  body,
  isBase64Encoded: false,
});

let taskDir: string;
let handler: HttpApiHandler;
const saved = { ...process.env };

beforeAll(() => {
  const assembly = buildApp(new App({ context: { stage: 'dev' } })).synth();
  const asset = readdirSync(assembly.directory)
    .map((name) => join(assembly.directory, name, 'index.js'))
    .find((file) => file.includes('asset.') && existsSync(file));
  if (!asset) throw new Error('no Lambda bundle in the cloud assembly');
  taskDir = mkdtempSync(join(tmpdir(), 'skiff-task-'));
  copyFileSync(asset, join(taskDir, 'index.js'));
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    SKIFF_STAGE: 'dev',
    LOG_LEVEL: 'silent',
    AWS_ACCESS_KEY_ID: 'unused',
    AWS_SECRET_ACCESS_KEY: 'unused',
  });
  handler = createRequire(join(taskDir, 'index.js'))('./index.js').handler;
}, 120_000);

afterAll(() => {
  process.env = saved;
  rmSync(taskDir, { recursive: true, force: true });
});

describe('greetings Lambda bundle', () => {
  it('boots and answers health checks', async () => {
    const response = await handler(event('GET', '/healthz') as never, {} as never);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(String(response.body))).toEqual({ status: 'ok' });
  });

  it('serves the OpenAPI document with the greetings routes', async () => {
    const response = await handler(event('GET', '/openapi.json') as never, {} as never);
    expect(JSON.parse(String(response.body)).paths).toHaveProperty('/hello/{username}');
  });

  it('validates input inside the bundle', async () => {
    const body = JSON.stringify({ dateOfBirth: '1990-01-01' });
    const response = await handler(event('PUT', '/hello/al1ce', body) as never, {} as never);
    expect(response.statusCode).toBe(400);
    expect(response.headers?.['content-type']).toMatch(/application\/problem\+json/);
  });
});
