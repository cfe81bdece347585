import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCredentials } from './local/engines.js';
import { startTestPlatform, type TestPlatform } from './local/test-platform.js';
import { freePort, type Running, startSkiff } from './local/test-process.js';

/** The container entry: SERVICES only, against whatever AWS the standard variables name; no /_local. */

let engines: TestPlatform;
let server: Running;
let base: string;

beforeAll(async () => {
  // The test platform stands in for "AWS": its engines already hold the greetings table.
  engines = await startTestPlatform();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = await startSkiff('src/server.ts', {
    PORT: String(port),
    SERVICES: 'greetings',
    AWS_ENDPOINT_URL_DYNAMODB: engines.endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: engines.endpoints.s3,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
  });
});

afterAll(async () => {
  server?.process.kill('SIGTERM');
  await server?.exited;
  await engines.stop();
});

describe('container entry (src/server.ts)', () => {
  it('serves the named service against the configured endpoints', async () => {
    const saved = await fetch(`${base}/hello/kim`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dateOfBirth: '1980-02-02' }),
    });
    expect(saved.status).toBe(204);
    const local = await engines.app.inject({ method: 'GET', url: '/hello/kim' });
    expect(local.json().message).toMatch(/^Hello, kim! /);
  });

  it('checks readiness against the real table', async () => {
    const response = await fetch(`${base}/readyz`);
    expect(await response.json()).toEqual({
      status: 'ready',
      checks: { 'dynamodb:skiff-local-greetings-birthdays': 'ok' },
    });
  });

  it('has no local-mode routes', async () => {
    expect((await fetch(`${base}/_local`)).status).toBe(404);
  });

  it('refuses an unknown service name at start', async () => {
    await expect(startSkiff('src/server.ts', { PORT: '0', SERVICES: 'greetings,nope' })).rejects.toThrow(
      /SERVICES names unknown service\(s\): nope/,
    );
  });
});
