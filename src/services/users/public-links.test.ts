import { afterEach, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../local/test-platform.js';

/** Which scheme and host the links the API hands out carry, behind a proxy and not. */
let platform: TestPlatform;
afterEach(() => platform?.stop());

const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.org' };
const firstPageLink = async (headers: Record<string, string>) => {
  for (const name of ['Ann', 'Bo']) {
    await platform.app.inject({
      method: 'POST',
      url: '/user',
      payload: { name, email: `${name.toLowerCase()}@example.org` },
    });
  }
  const page = await platform.app.inject({
    url: '/users?limit=1',
    headers: { host: 'inside:3000', ...headers },
  });
  return String(page.headers.link);
};

describe('links the API hands out', () => {
  it('ignore X-Forwarded-* unless SKIFF_TRUST_PROXY is set: a caller cannot choose them', async () => {
    platform = await startTestPlatform({ env: { SERVICES: 'users' } });
    expect(await firstPageLink(forwarded)).toMatch(/^<http:\/\/inside:3000\/users\?/);
  });

  it('take scheme and host from the proxy with SKIFF_TRUST_PROXY=true', async () => {
    platform = await startTestPlatform({ env: { SERVICES: 'users', SKIFF_TRUST_PROXY: 'true' } });
    expect(await firstPageLink(forwarded)).toMatch(/^<https:\/\/api\.example\.org\/users\?/);
  });

  it('use SKIFF_PUBLIC_URL whatever the request says', async () => {
    platform = await startTestPlatform({
      env: { SERVICES: 'users', SKIFF_PUBLIC_URL: 'https://skiff.example.net/', SKIFF_TRUST_PROXY: 'true' },
    });
    expect(await firstPageLink(forwarded)).toMatch(/^<https:\/\/skiff\.example\.net\/users\?/);
  });
});
