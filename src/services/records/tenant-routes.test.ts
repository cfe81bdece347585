import Fastify, { type FastifyPluginAsync } from 'fastify';
import { describe, expect, it } from 'vitest';
import { mergeInstances } from '../../platform/service-parts.js';
import { tenantScope } from './tenant-routes.js';
import type { TenantStore } from './tenant-store.js';

/** A tenant store that knows one key and counts its look-ups: what the authentication hook calls. */
function countingTenants() {
  const store = {
    lookups: 0,
    byKey: async (key: string) => {
      store.lookups += 1;
      return key === 'acme-key' ? { id: 'acme', timeZone: 'UTC' } : undefined;
    },
  };
  return store;
}

/** One route part as records has two (queries, uploads): tenant routes, authenticated. */
const part =
  (path: string, tenants: TenantStore): FastifyPluginAsync =>
  async (plugin) => {
    const { app, tenant } = tenantScope(plugin, tenants, () => new Date());
    app.get(path, async (request) => ({ tenant: tenant(request).id }));
  };

describe("records' route parts, as npm start merges them into one service", () => {
  it('authenticate each request once, by its own part, and keep their tenants apart', async () => {
    const queries = countingTenants();
    const uploads = countingTenants();
    const merged = mergeInstances([
      { routes: part('/records', queries as unknown as TenantStore) },
      { routes: part('/uploads', uploads as unknown as TenantStore) },
    ]);
    const app = Fastify();
    await app.register(async (scope) => merged.routes?.(scope, {}));
    const headers = { 'x-api-key': 'acme-key' };

    const found = await app.inject({ url: '/records', headers });
    expect(found.json()).toEqual({ tenant: 'acme' });
    expect([queries.lookups, uploads.lookups]).toEqual([1, 0]);

    const listed = await app.inject({ url: '/uploads', headers });
    expect(listed.json()).toEqual({ tenant: 'acme' });
    expect([queries.lookups, uploads.lookups]).toEqual([1, 1]);

    const refused = await app.inject({ url: '/uploads', headers: { 'x-api-key': 'wrong-key' } });
    expect(refused.statusCode).toBe(403);
    await app.close();
  });
});
