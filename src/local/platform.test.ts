import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../platform/config.js';
import { startLocalPlatform } from './platform.js';
import { freePort } from './test-process.js';

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket.destroy() !== undefined));
    socket.once('error', () => resolve(false));
  });

describe('the local platform', () => {
  it('leaves no engine running when its start fails part-way', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'skiff-half-start-'));
    const [dynamodb, s3] = [await freePort(), await freePort()];
    const config = loadConfig({
      SKIFF_DATA_DIR: dataDir,
      SKIFF_LOCAL_DYNAMODB_PORT: String(dynamodb),
      SKIFF_LOCAL_S3_PORT: String(s3),
      SERVICES: 'greetings',
    });
    // The engines are up and the tables made when the services fail to build.
    const failing = () => {
      throw new Error('the notifier cannot be made');
    };
    await expect(
      startLocalPlatform(config, pino({ level: 'silent' }), { notifier: failing }),
    ).rejects.toThrow(/notifier/);
    expect(await listening(dynamodb)).toBe(false);
    expect(await listening(s3)).toBe(false);
    await rm(dataDir, { recursive: true, force: true });
  });
});
