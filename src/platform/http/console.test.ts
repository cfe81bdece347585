import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../local/test-platform.js';
import { consolePolicy } from './console.js';

/** The console as the server hands it out (built by `npm install`); the browser suite drives it. */
let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ env: { SERVICES: 'greetings' } });
});
afterAll(() => platform.stop());

describe('the web console at /', () => {
  it('serves the page under a strict policy, never cached, naming content-hashed assets', async () => {
    const page = await platform.app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toBe(consolePolicy);
    expect(consolePolicy).toContain("script-src 'self'");
    expect(consolePolicy).not.toContain('unsafe-inline');
    expect(page.headers['cache-control']).toBe('no-cache');
    const [script] = /\/assets\/main-[0-9a-f]{12}\.js/.exec(page.body) ?? [];
    const asset = await platform.app.inject({ url: String(script) });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/^text\/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('serves only the files the build wrote', async () => {
    for (const url of ['/assets/main.js', '/assets/..%2F..%2Fpackage.json', '/assets/%2e%2e%2fREADME.md']) {
      const answer = await platform.app.inject({ url });
      expect(answer.statusCode, url).toBe(404);
      expect(answer.headers['content-type'], url).toMatch(/^application\/problem\+json/);
    }
  });

  it('is not part of the API document', async () => {
    const paths = Object.keys((await platform.app.inject({ url: '/openapi.json' })).json().paths);
    expect(paths).not.toContain('/');
    expect(paths.some((path) => path.startsWith('/assets'))).toBe(false);
  });
});
