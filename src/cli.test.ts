import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './local/test-platform.js';

/** `npx skiff` as an operator runs it, against a running platform's engines. */
let platform: TestPlatform;
let dir: string;

function skiff(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/skiff.mjs', ...args], {
    env: {
      ...process.env,
      AWS_ENDPOINT_URL_DYNAMODB: platform.endpoints.dynamodb,
      AWS_ENDPOINT_URL_S3: platform.endpoints.s3,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  platform = await startTestPlatform({ env: { SERVICES: 'records' } });
  dir = await mkdtemp(join(tmpdir(), 'skiff-cli-'));
});
afterAll(async () => {
  await platform.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('npx skiff', () => {
  it('adds a tenant, prints its key, and refuses a second add or a bad zone', async () => {
    const added = await skiff(['tenants', 'add', 'initech', '--timezone', 'Europe/Paris']);
    expect(added.code).toBe(0);
    expect(added.stdout.trim()).toMatch(/^sk_[\w-]{32}$/);
    expect(added.stderr).toBe('');
    const again = await skiff(['tenants', 'add', 'initech', '--timezone', 'Europe/Paris']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('tenant initech already exists');
    expect((await skiff(['tenants', 'add', 'umbrella', '--timezone', 'Mars/Base'])).stderr).toContain(
      'not an IANA time zone',
    );
    // Zones people type that Node 20's Intl list lacks.
    for (const [id, zone] of [
      ['kyiv-clinic', 'Europe/Kyiv'],
      ['utc-clinic', 'Etc/UTC'],
    ])
      expect((await skiff(['tenants', 'add', id as string, '--timezone', zone as string])).code).toBe(0);
  });

  it('ingests files with a summary, and the records answer to the printed key', async () => {
    const key = (await skiff(['tenants', 'add', 'hooli', '--timezone', 'America/Los_Angeles'])).stdout.trim();
    const good = join(dir, 'visits.csv');
    const broken = join(dir, 'broken.csv');
    await writeFile(
      good,
      'medical_record_number,first_name,last_name,date_time,doctors_notes\nH-1,Gavin,Belson,2026-07-01 09:00,n\n',
    );
    await writeFile(broken, 'not,a,records,file\n1,2,3,4\n');
    const run = await skiff(['records', 'ingest', '--tenant', 'hooli', good, broken]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/visits\.csv {2}completed {2}rows 1, ingested 1, rejected 0/);
    expect(run.stderr).toMatch(/broken\.csv {2}failed .*missing required column/);
    const found = await platform.app.inject({
      method: 'GET',
      url: '/records/H-1',
      headers: { 'x-api-key': key },
    });
    expect(found.json().items).toEqual([
      expect.objectContaining({ date_time_utc: '2026-07-01T16:00:00.000Z', source_file: 'visits.csv' }),
    ]);
  });

  it('prints usage for an unknown command', async () => {
    const run = await skiff(['tenants', 'remove', 'x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('usage:');
  });
});
