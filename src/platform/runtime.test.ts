import { createServer } from 'node:net';
import Fastify from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Config } from './config.js';
import { serveUntilSignalled } from './runtime.js';

describe('serveUntilSignalled', () => {
  it('leaves no signal handler behind when it cannot listen, so a start tried again sets its own', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as { port: number };
    const app = Fastify();
    const before = [process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')];
    try {
      const config = { port, host: '127.0.0.1', shutdownTimeoutMs: 1_000 } as Config;
      await expect(
        serveUntilSignalled(app, config, pino({ level: 'silent' }), () => app.close()),
      ).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect([process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')]).toEqual(before);
    } finally {
      await app.close();
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
