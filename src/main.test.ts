import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
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

  /** Asks `url` until `done` holds for its JSON answer, or fails after ten seconds. */
  async function pollJson(url: string, init: RequestInit, done: (body: Record<string, unknown>) => boolean) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const body = (await (await fetch(url, init)).json()) as Record<string, unknown>;
      if (done(body) || Date.now() > deadline) return body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  // npm start runs a bundle of the packages too (scripts/start-build.mjs), which the other tests,
  // run through tsx, never load: one call into each package a service leans on, through the bundle.
  describe('every service, from the bundle', () => {
    let running: Awaited<ReturnType<typeof startSkiff>>;
    const json = { 'content-type': 'application/json' };
    const apiKey = { 'x-api-key': 'demo-key' };
    const fixture = (path: string) => readFileSync(new URL(`./services/${path}`, import.meta.url));

    beforeAll(async () => {
      // The bundle as `npm install` leaves it, whatever was edited since (a start would otherwise run
      // the quick build, which leaves the packages to Node).
      execFileSync(process.execPath, ['scripts/start-build.mjs']);
      running = await startSkiff('scripts/start.mjs', {
        ...env,
        SKIFF_AUCTION_READY_PROBABILITY: '1',
        SKIFF_ORDERS_PIPELINE_WAIT_MS: '50',
      });
    });
    afterAll(async () => {
      running.process.kill('SIGTERM');
      expect(await running.exited).toBe(0);
      expect(running.output()).not.toContain('quick build');
    });

    it('donations: one thank-you through the local SNS', async () => {
      for (const amount of [1500, 500]) {
        const body = JSON.stringify({ donorId: 'ann', amount, email: 'ann@example.org' });
        expect((await fetch(`${base}/donations`, { method: 'POST', headers: json, body })).status).toBe(201);
      }
      const inbox = await (await fetch(`${base}/_local/notifications`)).json();
      expect(JSON.stringify(inbox)).toContain('ann');
    });

    it('users: a multipart form with an avatar, stored in S3 and read back; Swagger UI', async () => {
      const png = fixture('users/fixtures/prima/test-avatar.png');
      const form = new FormData();
      form.set('name', 'Ada');
      form.set('email', 'ada@example.org');
      form.set('avatar', new Blob([png], { type: 'image/png' }), 'face.png');
      const created = await fetch(`${base}/user`, { method: 'POST', body: form });
      expect(created.status).toBe(201);
      const { avatar_url } = (await created.json()) as { avatar_url: string };
      const avatar = await fetch(avatar_url);
      expect(Buffer.from(await avatar.arrayBuffer()).equals(png)).toBe(true);
      expect((await fetch(`${base}/swagger/`)).status).toBe(200);
    });

    it('orders: a pipeline run through the local Step Functions', async () => {
      const orders = JSON.stringify([{ record_id: 'bundle_1', parameter_1: 'abc', parameter_2: 4 }]);
      expect((await fetch(`${base}/orders`, { method: 'POST', headers: json, body: orders })).ok).toBe(true);
      const started = await fetch(`${base}/orders/pipeline/runs`, { method: 'POST' });
      const { runId } = (await started.json()) as { runId: string };
      const run = await pollJson(`${base}/orders/pipeline/runs/${runId}`, {}, (b) => b.status !== 'RUNNING');
      expect(run.status).toBe('SUCCEEDED');
    });

    it("records: a peer's sample CSV uploaded, ingested and queried", async () => {
      const csv = new FormData();
      const sample = fixture('records/fixtures/tendo/hospital01.csv');
      csv.set('file', new Blob([sample], { type: 'text/csv' }), 'hospital01.csv');
      const uploaded = await fetch(`${base}/uploads`, { method: 'POST', headers: apiKey, body: csv });
      expect(uploaded.status).toBe(202);
      const [{ uploadId }] = (await uploaded.json()) as [{ uploadId: string }];
      const upload = await pollJson(`${base}/uploads/${uploadId}`, { headers: apiKey }, (b) =>
        String(b.status).startsWith('completed'),
      );
      expect(upload.status).toBe('completed');
      const found = await fetch(`${base}/records?last_name=Doe`, { headers: apiKey });
      expect(JSON.stringify(await found.json())).toContain('MR1001');
    });
  });

  it('starts from the quick build, in the same process, when the bundle of the packages fails at run time', async () => {
    // A bundle that builds and parses but throws once running, as a package that reads files beside
    // its own code would: made in folders of its own, so that the other tests' bundle is left alone,
    // and in the checkout, where the builds find the packages they leave to Node.
    await mkdir('.skiff', { recursive: true });
    const own = await mkdtemp(join(process.cwd(), '.skiff', 'test-fallback-'));
    try {
      const full = join(own, 'full');
      const startBuild = new URL('../scripts/start-build.mjs', import.meta.url).href;
      const build = `await (await import('${startBuild}')).ensureStartBuild('${full}');`;
      execFileSync(process.execPath, ['--input-type=module', '--eval', build]);
      const { folder } = JSON.parse(readFileSync(join(full, 'build.json'), 'utf8')) as { folder: string };
      const chunk = readdirSync(join(full, folder)).find((name) => /^platform-.*\.mjs$/.test(name));
      writeFileSync(join(full, folder, chunk as string), "throw new Error('broken once bundled');\n");
      const entry = join(own, 'start.mjs');
      const folders = JSON.stringify({ full, quick: join(own, 'quick') });
      writeFileSync(entry, `await (await import('${startBuild}')).runStart(${folders});\n`);
      const running = await startSkiff(entry, env);
      try {
        expect((await fetch(`${base}/healthz`)).status).toBe(200);
        expect(running.output()).toContain('trying the quick build');
        expect(readFileSync(join(full, folder, 'failed-start.log'), 'utf8')).toContain('broken once bundled');
        // The first try's engine is gone while the platform runs, not only once it exits (the engine
        // also stops by itself when its parent does).
        const processes = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
        expect(processes).not.toContain(join(full, folder, 'dynalite-process.mjs'));
      } finally {
        running.process.kill('SIGTERM');
        expect(await running.exited).toBe(0);
      }
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  }, 90_000);

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
    // No build changes a configuration: the bundle (made above) is not tried again as the quick build.
    expect(stderr).not.toContain('trying the quick build');
  });

  // s3rver's own listen waits for a callback Node calls only on success: a taken S3 port used to end
  // the process with an unhandled 'error' event and a raw stack.
  it.each([
    ['the embedded DynamoDB', 'SKIFF_LOCAL_DYNAMODB_PORT'],
    ['the embedded S3', 'SKIFF_LOCAL_S3_PORT'],
    ['the platform', 'PORT'],
  ] as const)(
    'names the port of %s and its setting when another program holds it, and leaves no engine running',
    async (what, setting) => {
      const port = Number(env[setting]);
      const holder = createServer();
      await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
      const ownData = await mkdtemp(join(tmpdir(), 'skiff-main-port-'));
      try {
        const { code, stderr } = await failedStart({ SKIFF_DATA_DIR: ownData });
        expect(code).toBe(1);
        expect(stderr).toContain(
          `skiff could not start: Error: ${what} could not listen on 127.0.0.1:${port} (${setting}): listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
        );
        expect(stderr).not.toMatch(/unhandled/i);
        // A taken port is no build's fault: the bundle is not tried again as the quick build.
        expect(stderr).not.toContain('trying the quick build');
        // The line says it all: no stack trace after it.
        expect(stderr).not.toMatch(/^\s+at /m);
        const processes = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
        expect(processes).not.toContain(join(ownData, 'dynamodb'));
      } finally {
        await new Promise((resolve) => holder.close(resolve));
        await rm(ownData, { recursive: true, force: true });
      }
    },
  );

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
