import { beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../src/local/test-platform.js';
import { serviceCatalog } from '../../src/services/catalog.js';
import { apiRoutes, matchesPattern, serviceFor } from './api-routes.js';

/** Every path in one service's OpenAPI document, its parameters filled in as a browser would send them. */
async function documentedPaths(service: string): Promise<string[]> {
  const platform: TestPlatform = await startTestPlatform({ env: { SERVICES: service } });
  try {
    const document = (await platform.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    return (
      Object.keys(document.paths)
        // Local mode's own routes (the inbox of notifications): never deployed.
        .filter((path) => !path.startsWith('/_local'))
        .map((path) => path.replace(/\{[^}]+\}/g, 'some-id'))
    );
  } finally {
    await platform.stop();
  }
}

describe('the console distribution routes', () => {
  const paths = new Map<string, string[]>();
  beforeAll(async () => {
    for (const { name } of serviceCatalog) paths.set(name, await documentedPaths(name));
  }, 60_000);

  it.each(serviceCatalog.map((s) => s.name))(
    "send every documented path of %s to %s's own API",
    (service) => {
      const documented = paths.get(service) ?? [];
      expect(documented.length).toBeGreaterThan(0);
      for (const path of documented) expect(serviceFor(path), path).toBe(service);
    },
  );

  it("leave the console's own files to its bucket", () => {
    for (const path of ['/', '/index.html', '/assets/main-0123456789ab.js', '/favicon.ico']) {
      expect(serviceFor(path), path).toBeUndefined();
    }
  });

  it('match as CloudFront does: case-sensitive, * across slashes, exact paths only themselves', () => {
    expect(matchesPattern('/orders/*', '/orders/pipeline/runs')).toBe(true);
    expect(matchesPattern('/orders', '/orders/x')).toBe(false);
    expect(matchesPattern('/hello/*', '/Hello/ada')).toBe(false);
    expect(matchesPattern('/items/*', '/items/')).toBe(true);
    expect(Object.values(apiRoutes).flat().length).toBeLessThanOrEqual(25);
  });
});
