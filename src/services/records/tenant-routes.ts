import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as Type from 'typebox';
import { ProblemSchema } from '../../platform/http/schemas.js';
import { apiKeyAuth } from './api-key-auth.js';
import type { Tenant, TenantStore } from './tenant-store.js';

/** What every tenant route's OpenAPI entry says of it. */
const tenantRouteDocs = { tags: ['records'], security: [{ apiKey: [] }] };
const problems = { 400: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema };
export const UploadParams = Type.Object({ uploadId: Type.String({ pattern: '^[0-9a-f-]{36}$' }) });

/**
 * Authenticates every request of `app`'s scope by the tenant's API key, except routes marked
 * `config.public`, and gives each request's tenant.
 */
function tenantAuth(
  app: FastifyInstance,
  tenants: TenantStore,
  clock: () => Date,
): (request: FastifyRequest) => Tenant {
  const authenticate = apiKeyAuth(tenants, clock);
  const tenantOf = new WeakMap<FastifyRequest, Tenant>();
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config && (request.routeOptions.config as { public?: boolean }).public) return;
    tenantOf.set(request, await authenticate(request));
  });
  return (request) => tenantOf.get(request) as Tenant;
}

/**
 * A scope of tenant routes: its requests authenticated (`tenantAuth`), the typed app to add routes
 * to, each request's tenant, and what the routes' OpenAPI entries share.
 */
export function tenantScope(plugin: FastifyInstance, tenants: TenantStore, clock: () => Date) {
  const tenant = tenantAuth(plugin, tenants, clock);
  return { app: plugin.withTypeProvider<TypeBoxTypeProvider>(), tenant, problems, ...tenantRouteDocs };
}
