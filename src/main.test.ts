import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSkiff } from './local/test-process.js';

let dataDir: string;
let env: Record<string, string>;
let base: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'skiff-main-'));
  const [port, dynamodbPort, s3Port] = [await freePort(), await freePort(), await freePort()];
  env = {
    PORT: String(port),
    SKIFF_DATA_DIR: dataDir,
    SKIFF_LOCAL_DYNAMODB_PORT: String(dynamodbPort),
    SKIFF_LOCAL_S3_PORT: String(s3Port),
  };
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('npm start', () => {
  it('serves greetings, keeps data across a restart, and stops cleanly on SIGTERM', async () => {
    const first = await startSkiff('scripts/start.mjs', env);
    const saved = await fetch(`${base}/hello/ida`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dateOfBirth: '1990-01-01' }),
    });
    expect(saved.status).toBe(204);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    first.process.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('"msg":"stopped"');

    const second = await startSkiff('scripts/start.mjs', env);
    try {
      const greeted = await fetch(`${base}/hello/ida`);
      expect(greeted.status).toBe(200);
      expect(((await greeted.json()) as { message: string }).message).toMatch(/^Hello, ida! /);
    } finally {
      second.process.kill('SIGINT');
      expect(await second.exited).toBe(0);
    }
  });

  /**
   * A PUT whose body is half sent when `signal` runs, and finished 300 ms after: the request is under
   * way when the signal arrives. Gives the answer's status.
   */
  async function signalMidRequest(username: string, signal: () => void) {
    const body = JSON.stringify({ dateOfBirth: '1991-02-03' });
    const request = httpRequest(`${base}/hello/${username}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'content-length': body.length },
    });
    const status = new Promise<number | undefined>((resolve, reject) => {
      request.once('response', (response) => resolve(response.statusCode));
      request.once('error', reject);
    });
    request.write(body.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 300));
    signal();
    await new Promise((resolve) => setTimeout(resolve, 300));
    request.end(body.slice(10));
    return status;
  }

  it('finishes a request in flight before it stops', async () => {
    const running = await startSkiff('scripts/start.mjs', env);
    expect(await signalMidRequest('ida', () => running.process.kill('SIGTERM'))).toBe(204);
    expect(await running.exited).toBe(0);
  });

  it('finishes a request in flight when Ctrl-C in a terminal signals the whole process group', async () => {
    // A terminal sends SIGINT to every process of its foreground group, the engine's child included;
    // the engine must stay up until the platform has finished and closes it.
    const group = await startSkiff('scripts/start.mjs', env, { detached: true });
    expect(
      await signalMidRequest('grace', () => process.kill(-(group.process.pid as number), 'SIGINT')),
    ).toBe(204);
    expect(await group.exited).toBe(0);
    expect(group.output()).not.toContain('"level":50');
  });

  /** Runs `npm start` until it exits by itself: its exit code and what it wrote to stderr. */
  async function failedStart(extra: Record<string, string>) {
    const child = spawn(process.execPath, ['scripts/start.mjs'], {
      env: { ...process.env, ...env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    return { code, stderr };
  }

  it('refuses a bad configuration with a clear message and a non-zero exit', async () => {
    const { code, stderr } = await failedStart({ PORT: 'eighty' });
    expect(code).toBe(1);
    expect(stderr).toContain('Invalid configuration');
    expect(stderr).toContain('PORT must be a whole number');
  });

  it("names the embedded DynamoDB's port when another program holds it", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) =>
      holder.listen(Number(env.SKIFF_LOCAL_DYNAMODB_PORT), '127.0.0.1', resolve),
    );
    try {
      const { code, stderr } = await failedStart({});
      expect(code).toBe(1);
      expect(stderr).toContain(
        `skiff could not start: Error: the embedded DynamoDB could not listen on 127.0.0.1:${env.SKIFF_LOCAL_DYNAMODB_PORT}`,
      );
      expect(stderr).not.toMatch(/unhandled|UnhandledPromiseRejection/i);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('leaves no engine running when it fails after forking the embedded DynamoDB', async () => {
    // The zone is checked where the platform reads the tenants, after the engine's fork (src/main.ts).
    const ownData = await mkdtemp(join(tmpdir(), 'skiff-main-failed-'));
    try {
      const { code, stderr } = await failedStart({
        SKIFF_DATA_DIR: ownData,
        SKIFF_LOCAL_TENANTS: 'acme:Mars/Base:acme-key',
      });
      expect(code).toBe(1);
      expect(stderr).toContain('SKIFF_LOCAL_TENANTS');
      const processes = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
      expect(processes).not.toContain(join(ownData, 'dynamodb'));
    } finally {
      await rm(ownData, { recursive: true, force: true });
    }
  });
});
