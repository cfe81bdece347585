import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../local/test-platform.js';
import { loadConfig } from '../../platform/config.js';
import { buildApp } from '../../platform/http/app.js';
import { usersService } from './service.js';

/**
 * On AWS (`mode: 'cloud'`) the avatar route does not stream: it redirects to a short-lived presigned
 * S3 URL. Here the same app is built in cloud mode over the embedded S3, and the redirect is followed.
 */
let platform: TestPlatform;
let cloudApp: Awaited<ReturnType<typeof buildApp>>;
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(32, 7),
]);

beforeAll(async () => {
  platform = await startTestPlatform({ env: { SERVICES: 'users' } });
  cloudApp = await buildApp({
    logger: pino({ level: 'silent' }),
    services: [usersService],
    context: {
      config: loadConfig({ SERVICES: 'users' }),
      aws: platform.aws,
      notifier: platform.inbox,
      clock: () => new Date(),
      mode: 'cloud',
    },
    backgroundTasks: false,
  });
});
afterAll(async () => {
  await cloudApp.close();
  await platform.stop();
});

describe('avatars on AWS', () => {
  it('redirect to a presigned URL valid for 5 minutes that serves the image', async () => {
    const boundary = 'b0undary';
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nRed\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="email"\r\n\r\nred@example.org\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="avatar"; filename="r.png"\r\n\r\n`,
      ),
      png,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const created = await cloudApp.inject({
      method: 'POST',
      url: '/user',
      payload,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(created.statusCode).toBe(201);
    const response = await cloudApp.inject({ method: 'GET', url: `/users/${created.json().id}/avatar` });
    expect(response.statusCode).toBe(302);
    const location = new URL(String(response.headers.location));
    expect(location.origin).toBe(platform.endpoints.s3);
    expect(location.pathname).toMatch(/^\/skiff-local-users-avatars\/avatars\/users\/.+\.png$/);
    expect(location.searchParams.get('X-Amz-Expires')).toBe('300');
    const image = await fetch(location);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await image.arrayBuffer()).equals(png)).toBe(true);
  });
});
