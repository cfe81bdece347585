import type { FastifyRequest } from 'fastify';
import { HttpProblem } from '../../platform/http/problem.js';
import type { Tenant, TenantStore } from './tenant-store.js';

/** The brief's middle tier answered a bad key with exactly this, and its front end shows it. */
export const invalidKey = 'Could not validate API key';
const cacheMs = 60_000;

/**
 * The tenant comes from the `X-API-Key` credential only, never from a parameter. Lookups are cached
 * briefly by key hash, so a busy front end costs one DynamoDB read a minute per key.
 */
export function apiKeyAuth(tenants: TenantStore, clock: () => Date) {
  const cache = new Map<string, { tenant: Tenant | undefined; until: number }>();
  return async (request: FastifyRequest): Promise<Tenant> => {
    const key = request.headers['x-api-key'];
    if (typeof key !== 'string' || key.length === 0 || key.length > 200)
      throw new HttpProblem(403, invalidKey);
    const now = clock().getTime();
    let entry = cache.get(key);
    if (!entry || entry.until < now) {
      entry = { tenant: await tenants.byKey(key), until: now + cacheMs };
      if (cache.size > 10_000) cache.clear();
      cache.set(key, entry);
    }
    if (!entry.tenant) throw new HttpProblem(403, invalidKey);
    return entry.tenant;
  };
}
