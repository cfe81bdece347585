import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** `npm start` as a user runs it: a real process, real ports, SIGTERM to stop. */

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Running {
  process: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

async function startSkiff(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 30_000;
  while (!output.includes('Server listening')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`skiff did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { process: child, output: () => output, exited };
}

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
    const first = await startSkiff(env);
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

    const second = await startSkiff(env);
    try {
      const greeted = await fetch(`${base}/hello/ida`);
      expect(greeted.status).toBe(200);
      expect(((await greeted.json()) as { message: string }).message).toMatch(/^Hello, ida! /);
    } finally {
      second.process.kill('SIGINT');
      expect(await second.exited).toBe(0);
    }
  });

  it('finishes a request in flight before it stops', async () => {
    const running = await startSkiff(env);
    const body = JSON.stringify({ dateOfBirth: '1991-02-03' });
    const request = httpRequest(`${base}/hello/ida`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'content-length': body.length },
    });
    const status = new Promise<number | undefined>((resolve, reject) => {
      request.once('response', (response) => resolve(response.statusCode));
      request.once('error', reject);
    });
    // Half the body is sent, so the request is under way when the signal arrives.
    request.write(body.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 300));
    running.process.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    request.end(body.slice(10));
    expect(await status).toBe(204);
    expect(await running.exited).toBe(0);
  });

  it('refuses a bad configuration with a clear message and a non-zero exit', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, ...env, PORT: 'eighty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('Invalid configuration');
    expect(stderr).toContain('PORT must be a whole number');
  });
});
